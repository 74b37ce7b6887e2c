package dev.ama;

import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Every case of {@link GcTest} on a store in format 2: small blobs in packs, liveness by location.
 * The pack-specific cases (repacking, forwarding, uploads racing a repack) are in {@link RepackTest}.
 */
class PackedGcTest extends GcTest {
  @Override
  int storeFormat() {
    return Store.FORMAT_V2;
  }

  /** Its version marker, its content identity marker and its upload record. */
  @Override
  int markersOfASingleFileVersion() {
    return 3;
  }

  @Override
  int looseSize(int size) {
    return (int) Packs.SMALL_BLOB + size;
  }

  @Override
  Set<String> objectsHolding(Storage s, byte[] content) throws IOException {
    Set<String> out = new TreeSet<>();
    try (Stream<ObjectInfo> packs = s.list("packs/")) {
      for (ObjectInfo p : packs.toList()) {
        try (InputStream in = s.open(p.key())) {
          if (indexOf(in.readAllBytes(), content) >= 0) {
            out.add(p.key());
          }
        }
      }
    }
    return out;
  }

  private static int indexOf(byte[] in, byte[] what) {
    outer:
    for (int i = 0; i + what.length <= in.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (in[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
