package dev.ama.storage.gcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The options of gs:// stores, read by the rules every backend shares ({@link
 * dev.ama.spi.StorageOptions}). Refusals go through {@link GcsStorageProvider#open}, which refuses
 * before it builds a client, so no server is needed.
 */
class GcsPropertiesTest {
  private static final String STORE = "GCS store gs://models/ama";

  private static GcsProperties parse(String query) {
    return GcsProperties.of("gs://models/ama", URI.create("gs://models/ama" + query), Map.of(), Map.of());
  }

  private static String refusedByOpen(String query, Map<String, String> options) {
    return assertThrows(IllegalArgumentException.class,
        () -> new GcsStorageProvider().open(URI.create("gs://models/ama" + query), options, Map.of())).getMessage();
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    GcsProperties p = GcsProperties.defaults();
    assertEquals(8L << 20, p.directUploadMax());
    assertEquals(8L << 20, p.chunkSize());
    assertEquals(1000, p.listPageSize());
    assertEquals(6, p.maxAttempts());
    assertEquals(Duration.ofSeconds(1), p.retryInitialDelay());
    assertEquals(Duration.ofSeconds(32), p.retryMaxDelay());
    assertEquals(Duration.ofMinutes(2), p.retryTotalTimeout());
    assertEquals(GcsProperties.DEFAULT_HOST, p.endpoint());
    assertFalse(p.anonymous());
    assertTrue(p.checkBucket());
  }

  @Test
  void oneSizeSpelledThreeWaysIsTheSameSize() {
    for (String spelling : new String[] {"8MB", "8MiB", "8388608", "8m", "8%20mib"}) {
      GcsProperties p = parse("?chunkSize=" + spelling + "&directUploadMax=" + spelling);
      assertEquals(8L << 20, p.chunkSize(), spelling);
      assertEquals(8L << 20, p.directUploadMax(), spelling);
    }
    assertEquals(256L << 10, parse("?chunkSize=256KB").chunkSize());
    assertEquals(0, parse("?directUploadMax=0").directUploadMax(), "0: every object takes a resumable upload");
  }

  @Test
  void durationsTakeAUnit() {
    GcsProperties p = parse("?retryInitialDelay=250ms&retryMaxDelay=10s&retryTotalTimeout=5m");
    assertEquals(Duration.ofMillis(250), p.retryInitialDelay());
    assertEquals(Duration.ofSeconds(10), p.retryMaxDelay());
    assertEquals(Duration.ofMinutes(5), p.retryTotalTimeout());
    assertEquals(Duration.ofSeconds(90), parse("?retryTotalTimeout=PT90S").retryTotalTimeout());
    assertEquals(STORE + ": option retryInitialDelay='1000' has no unit (a plain number could be milliseconds or seconds);"
        + " write for example retryInitialDelay=1s (a unit: ms, s, m (minutes) or h; or ISO-8601 such as PT30S)",
        refusedByOpen("?retryInitialDelay=1000", Map.of()));
    assertEquals(STORE + ": option retryTotalTimeout='0s' is out of range: give a duration from 1ms to 24h; write for"
        + " example retryTotalTimeout=2m", refusedByOpen("?retryTotalTimeout=0s", Map.of()));
  }

  @Test
  void theOldKeysAreRefusedWithTheirNewNameAndValue() {
    assertEquals(STORE + ": option chunkSizeBytes was renamed chunkSize; write chunkSize=8MiB",
        refusedByOpen("?chunkSizeBytes=8388608", Map.of()));
    assertEquals(STORE + ": option directUploadMaxBytes was renamed directUploadMax; write directUploadMax=64KiB",
        refusedByOpen("?directUploadMaxBytes=65536", Map.of()));
    assertEquals(STORE + ": option retryInitialDelayMs was renamed retryInitialDelay; write retryInitialDelay=5ms",
        refusedByOpen("?retryInitialDelayMs=5", Map.of()));
    assertEquals(STORE + ": option retryMaxDelayMs was renamed retryMaxDelay; write retryMaxDelay=32s",
        refusedByOpen("", Map.of("retryMaxDelayMs", "32000")));
    assertEquals(STORE + ": option retryTotalTimeoutMs was renamed retryTotalTimeout; write retryTotalTimeout=2m",
        refusedByOpen("", Map.of("retryTotalTimeoutMs", "120000")));
    assertEquals("GCS store: option chunkSizeBytes was renamed chunkSize; write chunkSize=256KiB",
        assertThrows(IllegalArgumentException.class,
            () -> GcsProperties.of(Map.of("chunkSizeBytes", "262144"), Map.of())).getMessage());
  }

  @Test
  void aKeyWithoutValueIsRefusedByTheProviderWithTheFix() {
    assertEquals(STORE + ": option 'anonymous' in the URI's query has no value; write anonymous=VALUE, such as"
        + " anonymous=true for a switch (a key alone is not read as true)",
        refusedByOpen("?host=http://127.0.0.1:1&anonymous", Map.of()));
    assertEquals(STORE + ": option 'maxAttempts' is given twice in the URI's query; keep one maxAttempts=VALUE",
        refusedByOpen("?maxAttempts=1&maxAttempts=2", Map.of()));
  }

  @Test
  void theQueryKeepsPlusLiteralAndTheUriWins() {
    GcsProperties p = GcsProperties.of("gs://models/ama", URI.create("gs://models/ama?credentialsFile=/keys/a+b%20c.json"),
        Map.of("credentialsFile", "/other.json", "project", "from-map"), Map.of());
    assertEquals(Optional.of(Path.of("/keys/a+b c.json")), p.credentialsFile());
    assertEquals(Optional.of("from-map"), p.project());
  }

  @Test
  void valuesAreRefusedNamingTheStoreTheKeyTheValueAndAGoodValue() {
    assertEquals(STORE + ": option checkBucket='no' is not a boolean; write checkBucket=true or checkBucket=false",
        refusedByOpen("?checkBucket=no", Map.of()));
    assertEquals(STORE + ": option chunkSize='300000' is not a multiple of 256 KiB (262144 bytes), as GCS requires;"
        + " write for example chunkSize=256KiB", refusedByOpen("?chunkSize=300000", Map.of()));
    assertEquals(STORE + ": option chunkSize='100KiB' is out of range: give a size from 256KiB to 1GiB; write for example"
        + " chunkSize=8MiB", refusedByOpen("?chunkSize=100KiB", Map.of()));
    assertEquals(STORE + ": option listPageSize='5000' is more than 1000, the most allowed; write for example"
        + " listPageSize=1000", refusedByOpen("?listPageSize=5000", Map.of()));
    assertEquals(STORE + ": option host='ftp://x' is not an http(s) URL; use a form like http://127.0.0.1:4443",
        refusedByOpen("?host=ftp://x", Map.of()));
    String unknown = refusedByOpen("?retryDelay=1s", Map.of());
    assertTrue(unknown.startsWith("unknown GCS option 'retryDelay' in the query of " + STORE + "; did you mean"
        + " retryMaxDelay? Known GCS options: anonymous, checkBucket, chunkSize,"), unknown);
  }
}
