package dev.ama;

import java.util.Objects;
import java.util.Optional;

/**
 * What became of {@link AssetClient#setAlias} or {@link AssetClient#removeAlias}: a value to test,
 * as JGit's {@code RefUpdate.Result}, because a lost compare-and-swap is an expected outcome for a
 * promotion script, not an error.
 *
 * @param result what happened
 * @param type the asset type
 * @param alias the alias
 * @param head the alias's head entry afterwards: the entry appended when {@link Result#MOVED} or
 *     {@link Result#REMOVED}, else the one found, which decided the outcome (empty if the alias
 *     was never set)
 * @param expected the expectation the update was made with
 */
public record AliasUpdate(Result result, String type, String alias, Optional<AliasEntry> head, AliasExpectation expected) {
  /** The outcomes. */
  public enum Result {
    /** A move was appended: the alias points at the version now. */
    MOVED,
    /** A removal was appended: the alias points at nothing now; its history is kept. */
    REMOVED,
    /**
     * The alias already pointed at the version (or, for a removal, at nothing); nothing was
     * written, whatever the expectation, so a retried update is harmless.
     */
    ALREADY_THERE,
    /** The alias did not point at what was expected; nothing was written. See {@link #holds()}. */
    EXPECTATION_MISMATCH
  }

  /** Validates the fields. */
  public AliasUpdate {
    Objects.requireNonNull(result, "result");
    Names.checkType(type);
    Names.checkAlias(alias);
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(expected, "expected");
  }

  /** Whether an entry was appended to the alias's log. */
  public boolean changed() {
    return result == Result.MOVED || result == Result.REMOVED;
  }

  /** The version the alias points at now (on a mismatch: the one it actually holds); empty if at nothing. */
  public Optional<Digest> holds() {
    return head.flatMap(AliasEntry::target);
  }
}
