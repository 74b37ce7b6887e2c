package dev.ama;

/** {@link VerifyAfterCrashTest} on a store in format 2: a crash at any write of a packed upload is no damage either. */
class PackedVerifyAfterCrashTest extends VerifyAfterCrashTest {
  @Override
  int storeFormat() {
    return Store.FORMAT_V2;
  }
}
