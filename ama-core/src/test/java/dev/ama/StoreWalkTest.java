package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.storage.InMemoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walk over a store lists every object once and parses each key AMA writes, and only those. */
class StoreWalkTest {
  @TempDir Path tmp;

  @Test
  void everyObjectAnUploadWritesIsParsedAndForeignKeysAreHandedBack() throws Exception {
    InMemoryStorage storage = new InMemoryStorage();
    AssetVersion base;
    AssetVersion model;
    try (AssetClient client = AssetClient.builder().newStoreFormat(1).storage(storage).user("alice").cache(tmp.resolve("cache")).build()) {
      base = client.newAsset("datasets").add(Files.writeString(tmp.resolve("data.csv"), "a,b\n")).alias("ds").upload();
      model = client.newAsset("models").add(Files.writeString(tmp.resolve("model.h5"), "w"))
          .add(Files.writeString(tmp.resolve("model.yml"), "x: 1\n")).alias("best").ref("datasets", "ds").upload();
    }
    storage.putIfAbsent("blobs/sha256/00/not-a-digest", Content.ofBytes(new byte[1]));
    String misplaced = "blobs/sha256/00/" + model.files().get(0).digest().hex();
    storage.putIfAbsent(misplaced, Content.ofBytes(new byte[1]));
    storage.putIfAbsent("index/blobs/sha256/zz", Content.ofBytes(new byte[0]));
    storage.putIfAbsent("aliases/models/best/notes.txt", Content.ofBytes(new byte[0]));

    StoreWalk walk = new StoreWalk(new Store(storage));
    List<String> foreign = new ArrayList<>();
    List<StoreWalk.Stored> blobs;
    try (Stream<StoreWalk.Stored> s = walk.blobs(o -> foreign.add(o.key()))) {
      blobs = s.toList();
    }
    List<StoreWalk.Stored> manifests;
    try (Stream<StoreWalk.Stored> s = walk.manifests(o -> foreign.add(o.key()))) {
      manifests = s.toList();
    }
    List<StoreWalk.Marker> markers;
    try (Stream<StoreWalk.Marker> s = walk.markers(o -> foreign.add(o.key()))) {
      markers = s.toList();
    }
    List<StoreWalk.AliasLogKeys> logs = walk.aliasLogs(o -> foreign.add(o.key()));

    assertEquals(3, blobs.size(), "data.csv, model.h5, model.yml");
    assertEquals(List.of(base.version(), model.version()).stream().sorted().toList(),
        manifests.stream().map(StoreWalk.Stored::id).sorted().toList());
    assertEquals(List.of("datasets/ds", "models/best"), logs.stream().map(l -> l.type() + "/" + l.alias()).toList());
    assertEquals(List.of(1L), List.copyOf(logs.get(1).entries().keySet()));
    assertTrue(logs.get(1).head().isPresent(), "the HEAD hint is listed with its log");
    // 2 types, 2 aliases, 2 versions, 3 blob uses, 1 ref use, 2 alias targets.
    assertEquals(12, markers.size(), markers.toString());
    assertTrue(markers.contains(new StoreWalk.RefUse(info(markers, StoreLayout.refUse(base.version(), model.version())),
        base.version(), model.version())));
    assertEquals(List.of("aliases/models/best/notes.txt", misplaced,
        "blobs/sha256/00/not-a-digest", "index/blobs/sha256/zz").stream().sorted().toList(),
        foreign.stream().sorted().toList());
  }

  private static ObjectInfo info(List<StoreWalk.Marker> markers, String key) {
    return markers.stream().map(StoreWalk.Marker::info).filter(i -> i.key().equals(key)).findFirst().orElseThrow();
  }
}
