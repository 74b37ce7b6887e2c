package dev.ama.storage.gcs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.storage.gcs.testing.GcsTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AMA's client on a gs:// store: the write order and alias logs over the real GCS client. */
class GcsAssetClientTest {
  private static final String BUCKET = "models";
  // Small thresholds so the model file goes through resumable, chunked uploads.
  private static final String OPTIONS = "&directUploadMax=64KiB&chunkSize=256KiB";
  private static GcsTestServer server;

  @TempDir Path tmp;

  @BeforeAll
  static void startServer() throws Exception {
    server = GcsTestServer.start().createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private AssetClient client(String store, String name) {
    return AssetClient.builder().store(store).user(name).cache(tmp.resolve("cache-" + name)).build();
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void uploadOnOneMachineDownloadOnAnother() throws Exception {
    String store = server.storeUri(BUCKET, "roundtrip") + OPTIONS;
    Path work = Files.createDirectories(tmp.resolve("work"));
    byte[] model = random(1_300_000, 1);
    Files.write(work.resolve("model.h5"), model);
    Files.writeString(work.resolve("meta.yml"), "epochs: 3\n");
    AssetVersion uploaded;
    try (AssetClient trainer = client(store, "trainer")) {
      uploaded = trainer.newAsset("rnn_models").add(work.resolve("model.h5"), work.resolve("meta.yml")).alias("my_model").upload();
    }
    assertTrue(server.objectNames(BUCKET).stream().anyMatch(n -> n.startsWith("roundtrip/blobs/sha256/")));
    try (AssetClient server2 = client(store, "serving")) {
      assertEquals(uploaded.version(), server2.version("rnn_models", "my_model").version());
      Path out = server2.download("rnn_models", "my_model").to(tmp.resolve("out"));
      assertArrayEquals(model, Files.readAllBytes(out.resolve("model.h5")));
      assertEquals("epochs: 3\n", Files.readString(out.resolve("meta.yml")));
    }
  }

  @Test
  void racingAliasMovesAreAllRecordedOnce() throws Exception {
    String store = server.storeUri(BUCKET, "race") + OPTIONS;
    int writers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<AssetVersion>> results = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    try {
      for (int w = 0; w < writers; w++) {
        Path file = tmp.resolve("w" + w + "/params.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"writer\": " + w + "}");
        String name = "writer" + w;
        results.add(pool.submit(() -> {
          try (AssetClient c = client(store, name)) {
            start.await();
            return c.newAsset("params").add(file).alias("latest").upload();
          }
        }));
      }
      start.countDown();
      Set<Object> versions = new HashSet<>();
      for (Future<AssetVersion> f : results) {
        versions.add(f.get(120, TimeUnit.SECONDS).version());
      }
      assertEquals(writers, versions.size());
      try (AssetClient reader = client(store, "reader")) {
        List<AliasEntry> history = reader.history("params", "latest");
        assertEquals(writers, history.size(), "every move is in the log exactly once: " + history);
        Set<Object> logged = new HashSet<>();
        for (int i = 0; i < history.size(); i++) {
          assertEquals(i + 1, history.get(i).seq());
          logged.add(history.get(i).version());
        }
        assertEquals(versions, logged);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
