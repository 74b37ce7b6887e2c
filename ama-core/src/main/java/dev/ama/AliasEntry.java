package dev.ama;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of an alias's append-only log, at position {@code seq}: either a move (the alias
 * points at {@link #target()} from this entry on: an upload, a promotion, a rollback) or a removal
 * (a tombstone: the alias points at nothing from this entry on, and its history is kept). The
 * entry with the highest {@code seq} is the alias's head.
 *
 * @param type the asset type
 * @param alias the alias
 * @param seq the position in the log, from 1
 * @param target the version the alias points at from this entry on; empty for a removal
 * @param previous the version it pointed at just before this entry; empty when it pointed at
 *     nothing (the first entry, or the entry after a removal). A removal always has one: the
 *     version it removed (for a removal signed over an earlier removal, the version that one removed)
 * @param by who moved or removed it
 * @param at when
 * @param signature a release key's signature over every other field of the entry, if the mover
 *     signed it (docs/trust.md); a {@link TrustPolicy} may require one
 */
public record AliasEntry(
    String type, String alias, long seq, Optional<Digest> target, Optional<Digest> previous, String by, Instant at,
    Optional<AliasSignature> signature) {
  /** Validates the fields. */
  public AliasEntry {
    Objects.requireNonNull(signature, "signature");
    Names.checkType(type);
    Names.checkAlias(alias);
    if (seq < 1) {
      throw new IllegalArgumentException("alias log position must be at least 1, was " + seq);
    }
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(at, "at");
    if (target.isEmpty() && previous.isEmpty()) {
      throw new IllegalArgumentException("the removal at entry " + seq + " of " + type + "/" + alias
          + " must name the version it removed");
    }
  }

  /** An unsigned entry: a move to {@code target}, or a removal when it is empty. */
  public AliasEntry(
      String type, String alias, long seq, Optional<Digest> target, Optional<Digest> previous, String by, Instant at) {
    this(type, alias, seq, target, previous, by, at, Optional.empty());
  }

  /** A copy carrying a signature (or none, for the bytes a signature signs). */
  public AliasEntry withSignature(Optional<AliasSignature> signature) {
    return new AliasEntry(type, alias, seq, target, previous, by, at, signature);
  }

  /** An unsigned move: from this entry on, the alias points at {@code version}. */
  public AliasEntry(String type, String alias, long seq, Digest version, Optional<Digest> previous, String by, Instant at) {
    this(type, alias, seq, Optional.of(Objects.requireNonNull(version, "version")), previous, by, at);
  }

  /** A removal (tombstone) of the alias, which pointed at {@code removed} until this entry. */
  public static AliasEntry removal(String type, String alias, long seq, Digest removed, String by, Instant at) {
    return new AliasEntry(type, alias, seq, Optional.empty(), Optional.of(Objects.requireNonNull(removed, "removed")), by, at);
  }

  /** Whether this entry removed the alias rather than pointing it at a version. */
  public boolean removed() {
    return target.isEmpty();
  }

  /**
   * The version of a move. Code that may meet a removal (any head, any history entry) asks
   * {@link #target()} or {@link #removed()} instead.
   *
   * @throws IllegalStateException if this entry is a removal, which points at no version
   */
  public Digest version() {
    return target.orElseThrow(() -> new IllegalStateException("entry " + seq + " of alias " + type + "/" + alias
        + " is its removal by " + by + " at " + at + ", which points at no version"));
  }
}
