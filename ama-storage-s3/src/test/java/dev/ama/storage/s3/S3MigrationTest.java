package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.AssetUpload;
import dev.ama.MigrateOptions;
import dev.ama.MigrationReport;
import dev.ama.VerifyOptions;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link AssetClient#migrate} over an s3:// store: a format 1 bucket packed into format 2, history intact. */
@ExtendWith(S3ProxyExtension.class)
class S3MigrationTest {

  @Test
  void aFormat1StoreInABucketMigratesKeepingItsHistoryAndDownloadsByteForByte(S3ProxyServer s3, @TempDir Path tmp)
      throws Exception {
    String bucket = s3.createBucket();
    Random random = new Random(18);
    List<byte[]> last = new ArrayList<>();
    try (Storage storage = Storages.open(s3.storeUri(bucket, "ml"), s3.credentials())) {
      List<String> history;
      try (AssetClient c = AssetClient.builder().storage(storage).user("alice").newStoreFormat(1)
          .cache(tmp.resolve("c1")).build()) {
        for (int v = 0; v < 3; v++) {
          Path job = Files.createDirectories(tmp.resolve("job-" + v));
          AssetUpload up = c.newAsset("rnn_models").alias("my_model");
          last.clear();
          for (int i = 0; i < 40; i++) {
            // Most files are the same in every version, as in a dataset that grows.
            byte[] bytes = new byte[8 << 10];
            new Random(i < 35 ? i : 1000L * v + i).nextBytes(bytes);
            last.add(bytes);
            up.add(Files.write(job.resolve(String.format("part-%02d.bin", i)), bytes));
          }
          up.upload();
        }
        history = c.history("rnn_models", "my_model").stream().map(AliasEntry::toString).toList();
      }
      try (AssetClient c = AssetClient.builder().storage(storage).user("ops").cache(tmp.resolve("c2")).build()) {
        MigrationReport dry = c.migrate(MigrateOptions.dryRun());
        assertEquals(1, dry.formatAfter());
        assertTrue(s3.admin().listObjectsV2(b -> b.bucket(bucket).prefix("ml/packs/")).contents().isEmpty(),
            "a dry run writes no pack");

        MigrationReport r = c.migrate(MigrateOptions.dryRun().migrating());
        assertEquals(2, r.formatAfter());
        assertEquals(3, r.versionsMigrated());
        assertEquals(35 + 3 * 5, r.blobsPacked(), "each distinct small blob is packed once");
        assertEquals(dry.blobsPacked(), r.blobsPacked(), "the dry run counted what the migration packed");
        assertEquals(2, c.storeFormat());
        assertEquals(history, c.history("rnn_models", "my_model").stream().map(AliasEntry::toString).toList());
        assertTrue(c.verify(VerifyOptions.DEFAULTS.withDeep()).ok());
        assertTrue(c.migrate(MigrateOptions.dryRun().migrating()).upToDate());
      }
      assertFalse(s3.admin().listObjectsV2(b -> b.bucket(bucket).prefix("ml/packs/")).contents().isEmpty());
      try (AssetClient fresh = AssetClient.builder().storage(storage).user("serving").cache(tmp.resolve("c3")).build()) {
        Path out = fresh.download("rnn_models", "my_model").to(tmp.resolve("out"));
        for (int i = 0; i < last.size(); i++) {
          assertArrayEquals(last.get(i), Files.readAllBytes(out.resolve(String.format("part-%02d.bin", i))));
        }
      }
    }
  }
}
