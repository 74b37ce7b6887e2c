package dev.ama;

import java.util.List;
import java.util.Objects;

/**
 * What a garbage collection found and did; see {@link AssetClient#gc(GcOptions)}.
 *
 * @param deleted whether this run deleted ({@link GcOptions#deleting()}); otherwise every count of
 *     collectable objects is what a deleting run would remove now
 * @param complete whether every collectable object was handled; false if the run stopped early
 *     (its plan's time ran out) and should be run again
 * @param aliasEntries alias log entries read
 * @param keptVersions versions the policy keeps: named by a kept alias entry, or reffed by one of
 *     those, transitively (young and leased ones are counted in {@code spared})
 * @param collectable manifests, blobs and index markers that nothing keeps (removed if {@code
 *     deleted})
 * @param spared objects that nothing keeps but that were left alone: younger than the grace
 *     period, leased by a running upload, or with a modification time that cannot be trusted
 * @param collectedVersions the ids of the versions whose manifests are (or would be) removed
 * @param notes what a person should know about the run: the store's clock, objects with
 *     implausible times, leftovers of killed runs removed
 */
public record GcReport(
    boolean deleted,
    boolean complete,
    int aliasEntries,
    int keptVersions,
    Counts collectable,
    int spared,
    List<Digest> collectedVersions,
    List<String> notes) {

  /** Validates and copies the fields. */
  public GcReport {
    Objects.requireNonNull(collectable, "collectable");
    collectedVersions = List.copyOf(collectedVersions);
    notes = List.copyOf(notes);
  }

  /**
   * Objects by kind, with their bytes.
   *
   * @param manifests manifests (asset versions)
   * @param manifestBytes their bytes
   * @param blobs blobs (file contents); in a format 2 store also packs removed whole or repacked
   * @param blobBytes their bytes; of a repacked pack, the dead bytes it frees
   * @param markers index markers (empty objects) and the signatures of removed versions
   */
  public record Counts(int manifests, long manifestBytes, int blobs, long blobBytes, int markers) {
    /** All bytes counted. */
    public long bytes() {
      return manifestBytes + blobBytes;
    }
  }
}
