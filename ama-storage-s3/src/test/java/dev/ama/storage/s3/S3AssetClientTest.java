package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** AMA's own client over an s3:// store: the backend carries the whole store format. */
@ExtendWith(S3ProxyExtension.class)
class S3AssetClientTest {

  @Test
  void uploadsAliasesAndDownloadsThroughS3(S3ProxyServer s3, @TempDir Path tmp) throws Exception {
    String bucket = s3.createBucket();
    Path job = Files.createDirectories(tmp.resolve("job"));
    Files.writeString(job.resolve("model.yml"), "layers: 3\n");
    byte[] weights = new byte[13 << 20];
    new Random(42).nextBytes(weights);
    Files.write(job.resolve("model.h5"), weights);
    // Small parts, so the 13 MiB file goes up as a multipart create-only upload.
    String location = s3.storeUri(bucket, "ml") + "&multipartThreshold=5MiB&partSize=5MiB";
    try (Storage storage = Storages.open(location, s3.credentials());
        AssetClient client = AssetClient.builder().storage(storage).user("alice").cache(tmp.resolve("cache")).build()) {
      AssetVersion v1 = client.newAsset("rnn_models").add(job.resolve("model.yml"), job.resolve("model.h5"))
          .alias("my_model").upload();
      AssetVersion again = client.newAsset("rnn_models").add(job.resolve("model.yml"), job.resolve("model.h5"))
          .alias("my_model").upload();
      assertEquals(v1.version(), again.version(), "re-uploading identical content is a no-op");
      Files.writeString(job.resolve("model.yml"), "layers: 4\n");
      AssetVersion v2 = client.newAsset("rnn_models").add(job.resolve("model.yml"), job.resolve("model.h5"))
          .alias("my_model").upload();
      assertEquals(List.of(v1.version(), v2.version()), client.history("rnn_models", "my_model").stream()
          .map(AliasEntry::version).toList());

      Path out = client.download("rnn_models", "my_model").to(tmp.resolve("out"));
      assertArrayEquals(weights, Files.readAllBytes(out.resolve("model.h5")));
      assertEquals("layers: 4\n", Files.readString(out.resolve("model.yml"), StandardCharsets.UTF_8));
    }
    assertTrue(s3.admin().listObjectsV2(b -> b.bucket(bucket).prefix("ml/aliases/rnn_models/my_model/"))
        .contents().size() >= 2, "the alias log lives in the bucket");
  }

  @Test
  void aPackedStoreKeepsSmallFilesInPacksReadByRangesThroughS3(S3ProxyServer s3, @TempDir Path tmp) throws Exception {
    String bucket = s3.createBucket();
    Path job = Files.createDirectories(tmp.resolve("job"));
    Random random = new Random(7);
    for (int i = 0; i < 300; i++) {
      byte[] bytes = new byte[20 << 10];
      random.nextBytes(bytes);
      Files.write(job.resolve(String.format("shard-%03d.bin", i)), bytes);
    }
    byte[] weights = new byte[3 << 20];
    random.nextBytes(weights);
    Files.write(job.resolve("model.h5"), weights);
    String location = s3.storeUri(bucket, "ml");
    try (Storage storage = Storages.open(location, s3.credentials());
        AssetClient client = AssetClient.builder().storage(storage).user("alice").newStoreFormat(2)
            .cache(tmp.resolve("cache")).build()) {
      List<Path> files;
      try (var listed = Files.list(job)) {
        files = listed.sorted().toList();
      }
      client.newAsset("datasets").add(files.toArray(Path[]::new)).alias("train").upload();
      Files.writeString(job.resolve("shard-150.bin"), "changed");
      client.newAsset("datasets").add(files.toArray(Path[]::new)).alias("train").upload();
    }
    List<String> packs = s3.admin().listObjectsV2(b -> b.bucket(bucket).prefix("ml/packs/")).contents().stream()
        .map(o -> o.key()).toList();
    assertEquals(2, packs.size(), "one pack for the first upload's 300 small files, one for the changed file: " + packs);
    assertEquals(1, s3.admin().listObjectsV2(b -> b.bucket(bucket).prefix("ml/blobs/")).contents().size(),
        "the large file stays a loose object");
    try (Storage storage = Storages.open(location, s3.credentials());
        AssetClient reader = AssetClient.builder().storage(storage).cache(tmp.resolve("reader")).build()) {
      Path out = reader.download("datasets", "train").to(tmp.resolve("out"));
      for (int i = 0; i < 300; i++) {
        String name = String.format("shard-%03d.bin", i);
        assertEquals(-1, Files.mismatch(job.resolve(name), out.resolve(name)), name);
      }
      assertArrayEquals(weights, Files.readAllBytes(out.resolve("model.h5")));
      assertEquals(2, reader.find(job.resolve("shard-007.bin")).size(), "both versions hold shard-007.bin");
    }
  }

  @Test
  void racingAliasMovesFromManyClientsAllLandInTheLog(S3ProxyServer s3, @TempDir Path tmp) throws Exception {
    String bucket = s3.createBucket();
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Storage> storages = new ArrayList<>();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<AssetVersion>> uploads = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        Path file = Files.writeString(Files.createDirectories(tmp.resolve("w" + i)).resolve("params.json"), "{\"w\":" + i + "}");
        Storage storage = Storages.open(s3.storeUri(bucket, "race"), s3.credentials());
        storages.add(storage);
        int n = i;
        uploads.add(pool.submit(() -> {
          try (AssetClient client = AssetClient.builder().storage(storage).user("writer" + n)
              .cache(tmp.resolve("cache" + n)).build()) {
            start.await();
            return client.newAsset("training_params").add(file).alias("latest").upload();
          }
        }));
      }
      start.countDown();
      HashSet<Object> uploaded = new HashSet<>();
      for (Future<AssetVersion> f : uploads) {
        uploaded.add(f.get().version());
      }
      try (AssetClient reader = AssetClient.builder().storage(storages.get(0)).cache(tmp.resolve("reader")).build()) {
        List<AliasEntry> history = reader.history("training_params", "latest");
        assertEquals(writers, history.size(), "every move is one log entry: " + history);
        assertEquals(uploaded, new HashSet<>(history.stream().map(AliasEntry::version).toList()));
      }
    } finally {
      pool.shutdownNow();
      for (Storage s : storages) {
        s.close();
      }
    }
  }
}
