package dev.ama;

import java.util.List;

/**
 * What a migration to store format 2 did, or would do in a dry run; see {@link
 * AssetClient#migrate(MigrateOptions)}.
 *
 * @param written whether the migration wrote (false for a dry run)
 * @param formatBefore the store's format version when the migration began
 * @param formatAfter its format version when it ended (a dry run leaves it as it was)
 * @param versions the versions (manifests) the store holds
 * @param versionsMigrated the versions given an upload record by this run (or that would be)
 * @param blobsPacked the small loose blobs copied into packs by this run (or that would be)
 * @param bytesPacked their bytes
 * @param packs the packs written (or that would be)
 * @param notes what needs attention: damaged versions or blobs the migration could not pack
 *     (left as they were, for {@code verify} to report), and the loose blobs it left behind
 */
public record MigrationReport(boolean written, int formatBefore, int formatAfter, long versions, long versionsMigrated,
    long blobsPacked, long bytesPacked, long packs, List<String> notes) {
  public MigrationReport {
    notes = List.copyOf(notes);
  }

  /** Whether there was nothing to do: the store is in format 2 and every version has its upload record. */
  public boolean upToDate() {
    return formatBefore == Store.FORMAT_V2 && versionsMigrated == 0;
  }

  /**
   * How far a running migration has come.
   *
   * @param versionsSeen the versions listed so far
   * @param versionsMigrated the versions given an upload record so far (or that would be)
   * @param blobsPacked the blobs packed so far
   * @param bytesPacked their bytes
   */
  public record Progress(long versionsSeen, long versionsMigrated, long blobsPacked, long bytesPacked) {}
}
