package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    assertEquals(5L << 20, S3StorageProperties.parseSize("5MiB"));
    assertEquals(5L << 20, S3StorageProperties.parseSize("5m"));
    assertEquals(2L << 30, S3StorageProperties.parseSize("2GiB"));
    assertEquals(1234, S3StorageProperties.parseSize("1234"));
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
}
