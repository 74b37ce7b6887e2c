package dev.ama;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One move of an alias: entry {@code seq} of the alias's append-only log. The entry with the
 * highest {@code seq} is where the alias points now.
 *
 * @param type the asset type
 * @param alias the alias
 * @param seq the position in the log, from 1
 * @param version the version the alias points at from this move on
 * @param previous the version it pointed at before, empty for the first entry
 * @param by who moved it
 * @param at when it moved
 */
public record AliasEntry(
    String type, String alias, long seq, Digest version, Optional<Digest> previous, String by, Instant at) {
  /** Validates the fields. */
  public AliasEntry {
    Names.checkType(type);
    Names.checkAlias(alias);
    if (seq < 1) {
      throw new IllegalArgumentException("alias log position must be at least 1, was " + seq);
    }
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(at, "at");
  }
}
