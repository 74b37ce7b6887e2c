package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AliasExpectation;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.LoadedAsset;
import dev.ama.SigningKey;
import dev.ama.TrustPolicy;
import dev.ama.UntrustedException;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage side of signatures on a real S3 server (S3Proxy): signature objects written
 * create-only and read back by key id, signed alias entries, and a trust policy's refusal.
 */
@ExtendWith(S3ProxyExtension.class)
class S3TrustTest {
  @Test
  void signaturesAndSignedMovesRoundTripThroughS3(S3ProxyServer s3, @TempDir Path tmp) throws Exception {
    String bucket = s3.createBucket();
    SigningKey release = SigningKey.generate("release");
    TrustPolicy policy = TrustPolicy.builder().key(release.publicKey())
        .rule(new TrustPolicy.Rule("*", "prod", true, true, java.util.Set.of("release"))).build();
    Path f = Files.writeString(tmp.resolve("model.h5"), "weights");
    try (Storage storage = Storages.open(s3.storeUri(bucket, "trust"), s3.credentials());
        AssetClient writer = AssetClient.builder().storage(storage).user("ci").cache(tmp.resolve("w")).build();
        AssetClient reader = AssetClient.builder().storage(storage).user("srv").cache(tmp.resolve("r")).trust(policy).build()) {
      AssetVersion unsigned = writer.newAsset("models").add(f).alias("prod").upload();
      Path dest = tmp.resolve("dest");
      assertThrows(UntrustedException.class, () -> reader.download("models", "prod").to(dest));
      assertFalse(Files.exists(dest), "nothing written");
      assertTrue(writer.sign(unsigned, release));
      assertFalse(writer.sign(unsigned, release), "create-only: the second signature by the key writes nothing");
      assertThrows(UntrustedException.class, () -> reader.load("models", "prod"), "the move is still unsigned");
      writer.setAlias("models", "prod", unsigned, AliasExpectation.any(), release);
      try (LoadedAsset loaded = reader.load("models", "prod")) {
        assertEquals(unsigned.version(), loaded.version());
      }
      assertTrue(reader.verifySignatures(policy).ok(), reader.verifySignatures(policy).problems().toString());
    }
  }
}
