package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.Digest;
import dev.ama.VerifyOptions;
import dev.ama.VerifyReport;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** {@link AssetClient#verify} over s3://: the listing, the reads and a deep check through S3Proxy. */
@ExtendWith(S3ProxyExtension.class)
class S3VerifyTest {

  @Test
  void findsAMissingAReplacedAndATruncatedBlobAndAMissingMarker(S3ProxyServer s3, @TempDir Path tmp) throws Exception {
    String bucket = s3.createBucket();
    Path job = Files.createDirectories(tmp.resolve("job"));
    try (Storage storage = Storages.open(s3.storeUri(bucket, "ml"), s3.credentials());
        AssetClient client = AssetClient.builder().newStoreFormat(1).storage(storage).user("alice").cache(tmp.resolve("cache")).build()) {
      AssetVersion inputs = client.newAsset("training_params")
          .add(Files.writeString(job.resolve("training.yml"), "learning_rate: 0.001\n")).alias("inputs").upload();
      AssetVersion model = client.newAsset("rnn_models").add(Files.writeString(job.resolve("model.h5"), "weights-1"))
          .add(Files.writeString(job.resolve("model.yml"), "layers: 3\n")).alias("my_model")
          .ref("training_params", "inputs").upload();
      VerifyReport clean = client.verify(VerifyOptions.DEFAULTS.withDeep());
      assertTrue(clean.ok(), clean.problems().toString());
      assertEquals(3, clean.checked().blobsHashed());

      Digest yml = model.file("model.yml").orElseThrow().digest();
      Digest h5 = model.file("model.h5").orElseThrow().digest();
      Digest training = inputs.files().get(0).digest();
      put(s3, bucket, "ml/blobs/sha256/" + h5.hex().substring(0, 2) + "/" + h5.hex(), "weights-X");
      put(s3, bucket, "ml/blobs/sha256/" + yml.hex().substring(0, 2) + "/" + yml.hex(), "lay");
      s3.admin().deleteObject(b -> b.bucket(bucket).key("ml/blobs/sha256/" + training.hex().substring(0, 2) + "/"
          + training.hex()));
      s3.admin().deleteObject(b -> b.bucket(bucket).key("ml/index/types/rnn_models"));

      VerifyReport shallow = client.verify(VerifyOptions.DEFAULTS);
      assertEquals(List.of(VerifyReport.Kind.BLOB_MISSING, VerifyReport.Kind.BLOB_WRONG_SIZE,
          VerifyReport.Kind.MARKER_MISSING), shallow.problems().stream().map(VerifyReport.Problem::kind).sorted().toList(),
          shallow.problems().toString());
      VerifyReport.Problem missing = shallow.problems().stream()
          .filter(p -> p.kind() == VerifyReport.Kind.BLOB_MISSING).findFirst().orElseThrow();
      assertEquals(List.of("rnn_models/my_model", "training_params/inputs"), missing.affects().aliases());

      VerifyReport deep = client.verify(VerifyOptions.DEFAULTS.withDeep().withRepair());
      assertTrue(deep.problems().stream().anyMatch(p -> p.kind() == VerifyReport.Kind.BLOB_CORRUPT
          && p.key().endsWith(h5.hex()) && p.affects().aliases().equals(List.of("rnn_models/my_model"))),
          deep.problems().toString());
      assertEquals(1, deep.repaired().size(), deep.problems().toString());
      assertTrue(s3.admin().headObject(b -> b.bucket(bucket).key("ml/index/types/rnn_models")).contentLength() == 0);
    }
  }

  private static void put(S3ProxyServer s3, String bucket, String key, String content) {
    s3.admin().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
  }
}
