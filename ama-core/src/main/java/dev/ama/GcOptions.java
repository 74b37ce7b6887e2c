package dev.ama;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a garbage collection keeps and whether it deletes; see {@link AssetClient#gc(GcOptions)} and
 * docs/gc.md. Immutable; start from {@link #dryRun()} and change what you need.
 *
 * <p>Every version an alias log entry names is kept (the whole history) unless a retention policy
 * is given: then an entry is kept if any policy keeps it ({@link #keepLast(int)} or {@link
 * #keepSince(Instant)}), and an alias's current entry is always kept. Kept versions keep every
 * version they ref, transitively, and every blob those list. Nothing younger than the {@link
 * #grace(Duration) grace period} is deleted, whatever the policy.
 */
public final class GcOptions {
  /** The default grace period: uploads are assumed to finish within it. */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(24);
  /** The shortest grace period accepted; a shorter one would race ordinary uploads. */
  public static final Duration MIN_GRACE = Duration.ofHours(1);

  private final boolean delete;
  private final Duration grace;
  private final OptionalInt keepLast;
  private final Optional<Instant> keepSince;

  private GcOptions(boolean delete, Duration grace, OptionalInt keepLast, Optional<Instant> keepSince) {
    this.delete = delete;
    this.grace = grace;
    this.keepLast = keepLast;
    this.keepSince = keepSince;
  }

  /** Reports what would be deleted and deletes nothing; keeps every alias's whole history. */
  public static GcOptions dryRun() {
    return new GcOptions(false, DEFAULT_GRACE, OptionalInt.empty(), Optional.empty());
  }

  /** The same options, deleting what nothing keeps instead of only reporting it. */
  public GcOptions deleting() {
    return new GcOptions(true, grace, keepLast, keepSince);
  }

  /**
   * Objects younger than this, by the store's clock, are never deleted.
   *
   * @throws InvalidInputException if shorter than {@link #MIN_GRACE}
   */
  public GcOptions grace(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.compareTo(MIN_GRACE) < 0) {
      throw new InvalidInputException("grace period " + grace + " is shorter than the least gc accepts, " + MIN_GRACE
          + ": objects of uploads still running could be deleted. Give at least 1h; the default is 24h");
    }
    return new GcOptions(delete, grace, keepLast, keepSince);
  }

  /**
   * Keeps the last {@code n} entries of every alias log (and what they name), instead of the whole
   * history; combined with {@link #keepSince}, an entry either keeps is kept.
   *
   * @throws InvalidInputException if {@code n} is below 1
   */
  public GcOptions keepLast(int n) {
    if (n < 1) {
      throw new InvalidInputException("--keep-last " + n + ": keep at least the last entry of each alias (1)");
    }
    return new GcOptions(delete, grace, OptionalInt.of(n), keepSince);
  }

  /** Keeps every alias log entry made at or after this instant, instead of the whole history. */
  public GcOptions keepSince(Instant since) {
    return new GcOptions(delete, grace, keepLast, Optional.of(Objects.requireNonNull(since, "since")));
  }

  /** Whether objects are deleted; otherwise the run only reports them. */
  public boolean delete() {
    return delete;
  }

  /** The grace period. */
  public Duration grace() {
    return grace;
  }

  /** The number of last entries kept per alias, if that policy was chosen. */
  public OptionalInt keepLastEntries() {
    return keepLast;
  }

  /** The instant from which entries are kept, if that policy was chosen. */
  public Optional<Instant> keepSinceInstant() {
    return keepSince;
  }

  /** Whether every alias log entry keeps its version (no retention policy given). */
  public boolean keepsFullHistory() {
    return keepLast.isEmpty() && keepSince.isEmpty();
  }

  /** Whether the policy keeps entry {@code seq} of a log whose last entry is {@code last}. */
  boolean keeps(long seq, long last, Instant at) {
    return keepsFullHistory()
        || seq == last
        || keepLast.stream().anyMatch(n -> seq > last - n)
        || keepSince.filter(s -> !at.isBefore(s)).isPresent();
  }

  @Override
  public String toString() {
    return "GcOptions[" + (delete ? "delete" : "dry run") + ", grace " + grace
        + keepLast.stream().mapToObj(n -> ", keep last " + n).findFirst().orElse("")
        + keepSince.map(s -> ", keep since " + s).orElse("")
        + (keepsFullHistory() ? ", full history" : "") + "]";
  }
}
