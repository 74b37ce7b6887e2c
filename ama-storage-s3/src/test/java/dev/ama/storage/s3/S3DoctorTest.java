package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AssetClient;
import dev.ama.ProbeOptions;
import dev.ama.ProbeReport;
import dev.ama.ProbeReport.Verdict;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The store probe on a real S3 server (S3Proxy over HTTP), with child processes that open the
 * store by location and get the credentials through their pipe. What S3Proxy (its in-memory
 * jclouds store, as these tests run it) really does: its create-only write ({@code If-None-Match:
 * *}) is atomic between threads and processes, it reads its own writes, lists completely and lists
 * ASCII keys in byte order, so every property AMA needs holds; but it lists keys beyond ASCII in
 * the order of Java strings (UTF-16), not of UTF-8 bytes as AWS does ({@code 😀x} before {@code
 * Ａ}), which AMA's ASCII keys never meet. Its {@code If-Match} is not atomic, but AMA does not use
 * it, so the probe does not try it.
 */
@ExtendWith(S3ProxyExtension.class)
class S3DoctorTest {

  @Test
  void s3ProxyHoldsEveryPropertyAmaNeedsAndKeepsOnlyTheVerdict(S3ProxyServer s3, @TempDir Path tmp) throws IOException {
    String bucket = s3.createBucket();
    String location = s3.storeUri(bucket, "ml");
    try (Storage storage = Storages.open(location, s3.credentials());
        AssetClient client = AssetClient.builder().storage(storage).user("alice").cache(tmp.resolve("cache")).build()) {
      ProbeReport r = client.probe(ProbeOptions.DEFAULTS.withRounds(10).childStore(location, s3.credentials()));
      for (ProbeReport.Check c : r.checks()) {
        assertEquals(c.property() == ProbeReport.Property.LISTING_ORDER_UNICODE ? Verdict.BROKEN : Verdict.OK, c.verdict(),
            c.toString());
      }
      String unicode = r.check(ProbeReport.Property.LISTING_ORDER_UNICODE).detail();
      assertTrue(unicode.matches("listed '.*/order/\ud83d\ude00x' before '.*/order/\uff21', against the order of their"
          + " UTF-8 bytes"), unicode);
      assertTrue(r.ok());
      assertTrue(r.recorded());
      assertEquals(r.checks(), client.lastProbe().orElseThrow().checks());
      List<String> keys = s3.admin().listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).sorted()
          .toList();
      assertEquals(List.of("ml/ama-store.json", "ml/" + ProbeReport.KEY), keys);
    }
  }
}
