package dev.ama;

/** The races of {@link ConcurrentUploadTest}, threads and processes, on a store in format 2. */
class PackedConcurrentUploadTest extends ConcurrentUploadTest {
  @Override
  int storeFormat() {
    return Store.FORMAT_V2;
  }

  @Override
  int looseBlobs(int uploads) {
    // Every file of these uploads is small: all of them are in packs.
    return 0;
  }

  /**
   * Not run on format 2: a packed blob is read into its pack and hashed before the pack is sent, so
   * a file touched after that cannot have put other bytes under its digest, and there is no loose
   * blob for the upload to take back.
   */
  @Override
  void uploadGivingUpOnATouchedFileKeepsTheBlobAnotherUploadUses() {}
}
