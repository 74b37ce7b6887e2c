package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ama.spi.ObjectInfo;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.util.stream.Stream;

/**
 * The kill trials of {@link GcKillTest} on a store in format 2. There each alias's first pack holds
 * its first model and the blob every version shares, so keep-last 1 leaves it partly dead: the gc
 * repacks it (new pack, forwarding object, then the old pack deleted) while the other dead packs go
 * whole, and kills land among all of those steps.
 */
class PackedGcKillTest extends GcKillTest {
  @Override
  int storeFormat() {
    return Store.FORMAT_V2;
  }

  /** Each alias's first pack was repacked: its forwarding object is there, and no pack is left that is mostly dead. */
  @Override
  void assertFinished(FileSystemStorage fs, String context) throws IOException {
    try (Stream<ObjectInfo> s = fs.list(StoreLayout.MOVES_INDEX)) {
      assertEquals(3, s.count(), context + ": one forwarding object per alias's repacked first pack");
    }
  }
}
