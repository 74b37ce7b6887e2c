package dev.ama;

/**
 * What {@link AssetClient#verify} does besides its shallow checks.
 *
 * @param deep re-hash every blob of the store (reads every byte; parallel, streamed, so memory does
 *     not grow with blob sizes). Without it, blobs are checked by their listed size only, which
 *     misses bytes replaced by others of the same size
 * @param repair write the index markers that are missing, from the manifests and alias logs that
 *     name them; nothing is ever deleted or overwritten
 */
public record VerifyOptions(boolean deep, boolean repair) {
  /** Shallow, read-only. */
  public static final VerifyOptions DEFAULTS = new VerifyOptions(false, false);

  /** A copy that re-hashes every blob. */
  public VerifyOptions withDeep() {
    return new VerifyOptions(true, repair);
  }

  /** A copy that writes missing index markers. */
  public VerifyOptions withRepair() {
    return new VerifyOptions(deep, true);
  }
}
