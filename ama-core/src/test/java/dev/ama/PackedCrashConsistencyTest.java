package dev.ama;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every crash of {@link CrashConsistencyTest} on a store in format 2: small blobs in packs, an
 * upload record before the manifest, no marker per blob.
 */
class PackedCrashConsistencyTest extends CrashConsistencyTest {
  @Override
  int storeFormat() {
    return Store.FORMAT_V2;
  }

  @Override
  Set<String> kindsOfWrites() {
    // The upload's files are all small: they go into a pack, and no loose blob is written.
    return new TreeSet<>(List.of("alias entry", "alias hint", "pack", "gc lease", "index marker", "manifest"));
  }
}
