package dev.ama;

import java.util.List;
import java.util.Objects;

/**
 * What {@link AssetClient#verify} found: each broken object with what it breaks, what was
 * repaired, and what is left over for garbage collection (not a problem).
 *
 * @param deep whether every blob was re-hashed
 * @param checked how much was checked
 * @param problems every problem found, repaired ones included, in the order found
 * @param leftovers objects nothing keeps, and temporary files; none of them is a problem
 */
public record VerifyReport(boolean deep, Checked checked, List<Problem> problems, Leftovers leftovers) {
  /** Copies the list. */
  public VerifyReport {
    Objects.requireNonNull(checked, "checked");
    problems = List.copyOf(problems);
    Objects.requireNonNull(leftovers, "leftovers");
  }

  /** Whether the store is consistent: no problem, or only problems that were repaired. */
  public boolean ok() {
    return unrepaired().isEmpty();
  }

  /** The problems that remain. */
  public List<Problem> unrepaired() {
    return problems.stream().filter(p -> !p.repaired()).toList();
  }

  /** The problems that were repaired ({@link VerifyOptions#repair()}). */
  public List<Problem> repaired() {
    return problems.stream().filter(Problem::repaired).toList();
  }

  /** What kind of damage a problem is. */
  public enum Kind {
    /** An alias log has a gap: a position below its highest entry is missing, so its history is broken. */
    ALIAS_ENTRY_MISSING,
    /** An alias log entry cannot be read: malformed JSON, or it describes another position. */
    ALIAS_ENTRY_CORRUPT,
    /** A version that an alias entry or a ref names has no manifest. */
    MANIFEST_MISSING,
    /** A manifest's bytes do not hash to its id, do not parse strictly, or are not canonical JSON. */
    MANIFEST_CORRUPT,
    /** A blob a version lists is not in the store. */
    BLOB_MISSING,
    /** A blob's stored size is not the size its versions list (truncated, or other bytes). */
    BLOB_WRONG_SIZE,
    /** A blob's bytes do not hash to its digest; found only by a deep check. */
    BLOB_CORRUPT,
    /** Index markers of a version or alias are missing; {@link VerifyOptions#repair()} writes them. */
    MARKER_MISSING,
    /** Index markers name a version whose manifest does not exist. */
    STRAY_MARKERS
  }

  /**
   * One broken object.
   *
   * @param kind what is wrong
   * @param key the object's key in the store (for a group of missing markers, the first of them)
   * @param message the object, the cause and the fix, in a sentence or two
   * @param affects what the damage breaks
   * @param repaired whether this run repaired it
   */
  public record Problem(Kind kind, String key, String message, Affected affects, boolean repaired) {
    /** Validates the fields. */
    public Problem {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(affects, "affects");
    }
  }

  /**
   * What a problem breaks: the versions that cannot be downloaded whole (with those that ref them,
   * transitively, since a download with refs needs them), and the alias entries naming any of
   * them.
   *
   * @param aliases {@code type/alias} of aliases that point at an affected version now, sorted
   * @param entries {@code type/alias@seq} of every alias entry naming an affected version, sorted
   * @param versions the affected versions, sorted
   */
  public record Affected(List<String> aliases, List<String> entries, List<Digest> versions) {
    /** Nothing: the object is not used by any version (an unreferenced blob, say). */
    public static final Affected NOTHING = new Affected(List.of(), List.of(), List.of());

    /** Copies the lists. */
    public Affected {
      aliases = List.copyOf(aliases);
      entries = List.copyOf(entries);
      versions = List.copyOf(versions);
    }
  }

  /**
   * How much was checked.
   *
   * @param aliases alias logs
   * @param aliasEntries alias log entries read
   * @param versions manifests read and checked
   * @param blobs distinct blobs checked against the manifests
   * @param blobBytes their size, as the manifests list it
   * @param blobsHashed blobs re-hashed (deep only)
   * @param markers index markers listed
   */
  public record Checked(int aliases, int aliasEntries, int versions, int blobs, long blobBytes, int blobsHashed,
      int markers) {}

  /**
   * What nothing keeps, and what interrupted writers left; none of it is a problem. A version is
   * kept by any alias log entry naming it, and by versions that ref it, transitively.
   *
   * @param manifests manifests of versions nothing keeps (unaliased uploads, crash leftovers);
   *     garbage collection can collect them
   * @param manifestBytes their size
   * @param blobs blobs no kept version lists; garbage collection can collect them
   * @param blobBytes their size
   * @param temporaryFiles temporary files of a filesystem store's writers ({@code .ama-tmp/}); the
   *     next write sweeps those whose writer is gone
   * @param temporaryBytes their size
   * @param unrecognized keys under AMA's prefixes that are not objects AMA writes, sorted (the
   *     first hundred)
   * @param unrecognizedCount how many there are
   */
  public record Leftovers(int manifests, long manifestBytes, int blobs, long blobBytes, int temporaryFiles,
      long temporaryBytes, List<String> unrecognized, int unrecognizedCount) {
    /** Copies the list. */
    public Leftovers {
      unrecognized = List.copyOf(unrecognized);
    }
  }
}
