package dev.ama;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which versions {@link AssetClient#versions(String, VersionFilter)} returns: by creator, labels
 * and time, newest first, at most {@link #limit()}. Immutable; each {@code with}-method returns a
 * copy.
 */
public final class VersionFilter {
  private static final VersionFilter ALL = new VersionFilter(Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), Integer.MAX_VALUE);

  private final Optional<String> createdBy;
  private final Map<String, String> labels;
  private final Optional<Instant> since;
  private final Optional<Instant> until;
  private final int limit;

  private VersionFilter(Optional<String> createdBy, Map<String, String> labels, Optional<Instant> since,
      Optional<Instant> until, int limit) {
    this.createdBy = createdBy;
    this.labels = Map.copyOf(labels);
    this.since = since;
    this.until = until;
    this.limit = limit;
  }

  /** Every version. */
  public static VersionFilter all() {
    return ALL;
  }

  /** Only versions uploaded by this user. */
  public VersionFilter createdBy(String user) {
    return new VersionFilter(Optional.of(Objects.requireNonNull(user)), labels, since, until, limit);
  }

  /** Only versions with this label value; several labels must all match. */
  public VersionFilter label(String key, String value) {
    Map<String, String> m = new TreeMap<>(labels);
    m.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
    return new VersionFilter(createdBy, m, since, until, limit);
  }

  /** Only versions uploaded at or after this time. */
  public VersionFilter since(Instant time) {
    return new VersionFilter(createdBy, labels, Optional.of(time), until, limit);
  }

  /** Only versions uploaded before this time. */
  public VersionFilter until(Instant time) {
    return new VersionFilter(createdBy, labels, since, Optional.of(time), limit);
  }

  /** At most this many versions, the newest. */
  public VersionFilter limit(int max) {
    if (max < 1) {
      throw new InvalidInputException("version limit must be at least 1, was " + max + "; give a positive number of versions");
    }
    return new VersionFilter(createdBy, labels, since, until, max);
  }

  /** The creator to match, if any. */
  public Optional<String> createdBy() {
    return createdBy;
  }

  /** The labels to match. */
  public Map<String, String> labels() {
    return labels;
  }

  /** The earliest upload time, if any. */
  public Optional<Instant> since() {
    return since;
  }

  /** The upload time to stay before, if any. */
  public Optional<Instant> until() {
    return until;
  }

  /** The most versions returned. */
  public int limit() {
    return limit;
  }

  /** Whether the filter needs each version's manifest (creator or labels), not just the index. */
  boolean needsManifest() {
    return createdBy.isPresent() || !labels.isEmpty();
  }

  boolean matches(AssetVersion v) {
    return createdBy.map(u -> u.equals(v.createdBy())).orElse(true)
        && labels.entrySet().stream().allMatch(e -> e.getValue().equals(v.labels().get(e.getKey())));
  }

  boolean inWindow(Instant t) {
    return since.map(s -> !t.isBefore(s)).orElse(true) && until.map(u -> t.isBefore(u)).orElse(true);
  }
}
