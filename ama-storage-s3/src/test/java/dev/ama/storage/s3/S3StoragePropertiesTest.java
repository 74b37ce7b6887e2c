package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.StorageOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class S3StoragePropertiesTest {
  private static S3StorageProperties parse(String uri, Map<String, String> options, Map<String, String> env) {
    return S3StorageProperties.of(URI.create(uri), options, env);
  }

  private static S3StorageProperties parse(String uri) {
    return parse(uri, Map.of(), Map.of());
  }

  private static String refused(String uri, Map<String, String> options) {
    return assertThrows(IllegalArgumentException.class, () -> parse(uri, options, Map.of())).getMessage();
  }

  @Test
  void bucketAndPrefixComeFromTheUri() {
    S3StorageProperties p = parse("s3://models/teams/vision/");
    assertEquals("models", p.bucket());
    assertEquals("teams/vision", p.prefix());
    assertEquals("s3://models/teams/vision", p.location());
    S3StorageProperties whole = parse("s3://models");
    assertEquals("", whole.prefix());
    assertEquals("s3://models", whole.location());
  }

  @Test
  void defaultsSuitAwsWithoutAnEndpoint() {
    S3StorageProperties p = parse("s3://models/x");
    assertEquals(Optional.empty(), p.endpoint());
    assertEquals(Optional.empty(), p.region());
    assertFalse(p.pathStyle());
    assertEquals(S3StorageProperties.Checksums.WHEN_SUPPORTED, p.checksums());
    assertEquals(S3StorageProperties.MULTIPART_THRESHOLD_DEFAULT, p.multipartThreshold());
    assertEquals(S3StorageProperties.PART_SIZE_DEFAULT, p.partSize());
    assertEquals(S3StorageProperties.PARALLELISM_DEFAULT, p.parallelism());
    assertEquals(S3StorageProperties.MAX_ATTEMPTS_DEFAULT, p.maxAttempts());
  }

  @Test
  void customEndpointSwitchesToPathStyleAndRequiredChecksums() {
    S3StorageProperties p = parse("s3://models/x?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1");
    assertEquals(URI.create("http://127.0.0.1:9000"), p.endpoint().orElseThrow());
    assertEquals(Optional.of("eu-west-1"), p.region());
    assertTrue(p.pathStyle());
    assertEquals(S3StorageProperties.Checksums.WHEN_REQUIRED, p.checksums());
    assertFalse(parse("s3://models/x?endpoint=https://s3.example.com&pathStyle=false").pathStyle());
  }

  @Test
  void endpointComesFromTheEnvironmentUnlessGiven() {
    Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://general:1", "AWS_ENDPOINT_URL_S3", "http://s3only:2");
    assertEquals(URI.create("http://s3only:2"), parse("s3://bkt/p", Map.of(), env).endpoint().orElseThrow());
    assertEquals(URI.create("http://general:1"),
        parse("s3://bkt/p", Map.of(), Map.of("AWS_ENDPOINT_URL", "http://general:1")).endpoint().orElseThrow());
    assertEquals(URI.create("http://given:3"),
        parse("s3://bkt/p?endpoint=http://given:3", Map.of(), env).endpoint().orElseThrow());
  }

  @Test
  void theUriWinsOverTheOptionsMap() {
    S3StorageProperties p = parse("s3://bkt/p?partSize=8MiB", Map.of("partSize", "6MiB", "parallelism", "9"), Map.of());
    assertEquals(8L << 20, p.partSize());
    assertEquals(9, p.parallelism());
  }

  @Test
  void sizesAndDurationsTakeUnits() {
    assertEquals(5L << 20, StorageOptions.parseSize("5MiB"));
    assertEquals(5L << 20, StorageOptions.parseSize("5m"));
    assertEquals(2L << 30, StorageOptions.parseSize("2GiB"));
    assertEquals(1234, StorageOptions.parseSize("1234"));
    S3StorageProperties p = parse("s3://bkt/p?connectTimeout=500ms&socketTimeout=2m");
    assertEquals(Duration.ofMillis(500), p.connectTimeout());
    assertEquals(Duration.ofMinutes(2), p.socketTimeout());
  }

  @Test
  void secretsAreRefusedInTheUriButAcceptedInTheOptionsMap() {
    String message = refused("s3://bkt/p?secretAccessKey=abc", Map.of());
    assertTrue(message.contains("secret option 'secretAccessKey'"), message);
    assertTrue(message.contains("AWS_SECRET_ACCESS_KEY"), message);
    assertFalse(message.contains("abc"), "the secret is not repeated: " + message);
    S3StorageProperties p = parse("s3://bkt/p", Map.of("accessKeyId", "id", "secretAccessKey", "abc"), Map.of());
    assertEquals(Optional.of("id"), p.accessKeyId());
    assertFalse(p.toString().contains("abc"), p.toString());
    String half = refused("s3://bkt/p", Map.of("accessKeyId", "id"));
    assertTrue(half.contains("secretAccessKey is missing"), half);
  }

  @Test
  void malformedLocationsAndOptionsAreRefusedWithTheFix() {
    assertTrue(refused("s3:///prefix", Map.of()).contains("names no bucket"));
    assertTrue(refused("s3://Bad_Bucket!/p", Map.of()).contains("not a valid S3 bucket name"));
    assertTrue(refused("s3://user:pw@bucket/p", Map.of()).contains("user information"));
    assertFalse(refused("s3://user:pw@bucket/p", Map.of()).contains("pw"));
    String unknown = refused("s3://bkt/p?endpiont=http://x", Map.of());
    assertTrue(unknown.contains("unknown S3 option 'endpiont'") && unknown.contains("endpoint"), unknown);
    assertTrue(refused("s3://bkt/p?partSize=1MiB", Map.of()).contains("minimum part size of 5 MiB"));
    assertTrue(refused("s3://bkt/p?endpoint=ftp://x", Map.of()).contains("not an http(s) URL"));
    assertTrue(refused("s3://bkt/p?pathStyle=maybe", Map.of()).contains("not a boolean"));
    assertTrue(refused("s3://bkt/p?maxAttempts=0", Map.of()).contains("not a positive whole number"));
    assertTrue(refused("s3://bkt/a/../c", Map.of()).contains("'..' segment"));
    assertTrue(refused("s3://bkt/p", Map.of("anonymous", "true", "profile", "dev")).contains("cannot be combined"));
  }

  // ---- the rules shared with every backend (dev.ama.spi.StorageOptions) ----

  @Test
  void oneSizeSpelledThreeWaysIsTheSameSize() {
    for (String spelling : new String[] {"8MB", "8MiB", "8388608", "8m", "8 mib"}) {
      S3StorageProperties p = parse("s3://bkt/p?partSize=" + spelling.replace(" ", "%20") + "&multipartThreshold=" + spelling.replace(" ", "%20"));
      assertEquals(8L << 20, p.partSize(), spelling);
      assertEquals(8L << 20, p.multipartThreshold(), spelling);
      assertEquals(8L << 20, parse("s3://bkt/p", Map.of("partSize", spelling), Map.of()).partSize(), spelling);
    }
    assertEquals(1L << 30, parse("s3://bkt/p?partSize=1GB").partSize());
  }

  @Test
  void aKeyWithoutValueIsRefusedByTheProviderWithTheFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new S3StorageProvider().open(URI.create("s3://bkt/p?region=eu-west-1&anonymous"), Map.of()));
    assertEquals("S3 store s3://bkt/p: option 'anonymous' in the URI's query has no value; write anonymous=VALUE, such as"
        + " anonymous=true for a switch (a key alone is not read as true)", e.getMessage());
    String twice = refused("s3://bkt/p?region=a&region=b", Map.of());
    assertEquals("S3 store s3://bkt/p: option 'region' is given twice in the URI's query; keep one region=VALUE", twice);
  }

  @Test
  void theQueryKeepsPlusLiteralAndDecodesPercentEscapes() {
    assertEquals(Optional.of("a+b c"), parse("s3://bkt/p?profile=a+b%20c").profile());
  }

  @Test
  void valuesAreRefusedNamingTheStoreTheKeyTheValueAndAGoodValue() {
    assertEquals("S3 store s3://bkt/p: option pathStyle='yes' is not a boolean; write pathStyle=true or pathStyle=false",
        refused("s3://bkt/p?pathStyle=yes", Map.of()));
    assertEquals("S3 store s3://bkt/p: option connectTimeout='10' has no unit (a plain number could be milliseconds or"
        + " seconds); write for example connectTimeout=10s (a unit: ms, s, m (minutes) or h; or ISO-8601 such as PT30S)",
        refused("s3://bkt/p?connectTimeout=10", Map.of()));
    assertEquals(Duration.ofSeconds(30), parse("s3://bkt/p?socketTimeout=PT30S").socketTimeout());
    assertEquals(Duration.ofHours(1), parse("s3://bkt/p?socketTimeout=1h").socketTimeout());
    assertEquals("S3 store s3://bkt/p: option partSize='16 MiBs' has an unknown unit 'MiBs'; write for example"
        + " partSize=16MiB (a unit: B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T/TB/TiB, all powers of 1024)",
        refused("s3://bkt/p?partSize=16%20MiBs", Map.of()));
    assertEquals("S3 store s3://bkt/p: option partSize='1MiB' is below S3's minimum part size of 5 MiB; write"
        + " partSize=5MiB or more", refused("s3://bkt/p?partSize=1MiB", Map.of()));
    assertEquals("S3 store s3://bkt/p: option maxAttempts='many' is not a positive whole number; write for example"
        + " maxAttempts=6", refused("s3://bkt/p?maxAttempts=many", Map.of()));
    String unknown = refused("s3://bkt/p", Map.of("partsize", "8MiB"));
    assertTrue(unknown.startsWith("unknown S3 option 'partsize' in the options map of S3 store s3://bkt/p; did you mean"
        + " partSize? Known S3 options: accessKeyId, anonymous, checksums, connectTimeout,"), unknown);
  }
}
