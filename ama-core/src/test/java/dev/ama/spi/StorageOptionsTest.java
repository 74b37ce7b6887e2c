package dev.ama.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one set of rules for store options: the query, the keys, sizes, durations, switches, counts. */
class StorageOptionsTest {
  private static final String CONTEXT = "Test store t://b/p";

  private static StorageOptions.Builder spec() {
    return StorageOptions.forStore("Test", "t://b/p")
        .knownKeys("endpoint", "region", "pathStyle", "partSize", "maxAttempts", "timeout", "chunkSize", "retryDelay");
  }

  private static StorageOptions options(String query) {
    return spec().parse(Map.of(), URI.create("t://b/p" + query));
  }

  private static Map<String, String> query(String query) {
    return StorageOptions.parseQuery(URI.create("t://b/p" + query), CONTEXT);
  }

  private static String refusedQuery(String query) {
    return assertThrows(IllegalArgumentException.class, () -> query(query)).getMessage();
  }

  private static String refused(String query, java.util.function.Consumer<StorageOptions> read) {
    StorageOptions o = options(query);
    return assertThrows(IllegalArgumentException.class, () -> read.accept(o)).getMessage();
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }
  }

  // ---- the query ----

  @Test
  void theQueryIsPercentDecodedInOrderAndKeepsPlusLiteral() {
    Map<String, String> q = query("?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A9000&path%53tyle=a+b%20c");
    assertEquals(List.of("region", "endpoint", "pathStyle"), List.copyOf(q.keySet()));
    assertEquals("http://127.0.0.1:9000", q.get("endpoint"));
    assertEquals("a+b c", q.get("pathStyle"), "RFC 3986: '+' is not a space in a query; %20 is");
    assertEquals("\u00e9=x", query("?region=%C3%A9=x").get("region"), "only the first '=' separates key and value");
    assertEquals("", query("?region=").get("region"));
  }

  @Test
  void emptyQueriesAndEmptyPairsGiveNothing() {
    assertEquals(Map.of(), query(""));
    assertEquals(Map.of(), query("?"));
    assertEquals(Map.of("region", "x"), query("?&region=x&"));
    assertEquals(Map.of(), StorageOptions.parseQuery(URI.create("mem:name"), CONTEXT));
  }

  @Test
  void aKeyWithoutValueIsRefusedNamingTheKeyAndTheFix() {
    String message = refusedQuery("?region=x&pathStyle");
    assertEquals(CONTEXT + ": option 'pathStyle' in the URI's query has no value; write pathStyle=VALUE, such as"
        + " pathStyle=true for a switch (a key alone is not read as true)", message);
    assertContains(refusedQuery("?path%53tyle"), "'pathStyle'", "write pathStyle=");
  }

  @Test
  void anEmptyKeyIsRefused() {
    String message = refusedQuery("?=secret");
    assertContains(message, CONTEXT, "value without a key", "write key=value");
    assertFalse(message.contains("secret"), "values are never repeated: " + message);
    assertContains(refusedQuery("?="), "value without a key");
  }

  @Test
  void aKeyGivenTwiceIsRefused() {
    String message = refusedQuery("?region=one&endpoint=x&region=two");
    assertEquals(CONTEXT + ": option 'region' is given twice in the URI's query; keep one region=VALUE", message);
    assertContains(refusedQuery("?region=one&regio%6E=two"), "'region' is given twice");
  }

  @Test
  void escapesThatAreNotUtf8AreRefusedWithoutRepeatingTheValue() {
    String message = refusedQuery("?region=%FFsecret");
    assertContains(message, CONTEXT, "option 'region'", "not UTF-8", "%C3%A9");
    assertFalse(message.contains("secret"), message);
  }

  @Test
  void aPercentSignGivenToUrisConstructorsArrivesAsItself() throws Exception {
    // java.net.URI refuses a malformed escape in a URI string; its multi-argument constructors quote '%' as %25.
    assertThrows(java.net.URISyntaxException.class, () -> new URI("t://b/p?region=%zz"));
    URI uri = new URI("t", "b", "/p", "region=100%&endpoint=a b", null);
    assertEquals(Map.of("region", "100%", "endpoint", "a b"), StorageOptions.parseQuery(uri, CONTEXT));
  }

  // ---- keys ----

  @Test
  void uriOptionsWinOverTheMapAndOrderIsKept() {
    StorageOptions o = spec().parse(Map.of("region", "from-map", "maxAttempts", "9"), URI.create("t://b/p?region=from-uri"));
    assertEquals("from-uri", o.string("region").orElseThrow());
    assertEquals(9, o.positiveInt("maxAttempts", 1));
    assertEquals(Map.of("region", "from-uri", "maxAttempts", "9"), o.asMap());
    assertEquals(CONTEXT, o.context());
    assertEquals(
        Map.of("region", "u"),
        spec().parse(Map.of(), Map.of("region", "u")).asMap());
  }

  @Test
  void unknownKeysNameTheNearestKnownOnesAndListAll() {
    String message = assertThrows(IllegalArgumentException.class, () -> options("?endpiont=x")).getMessage();
    assertEquals("unknown Test option 'endpiont' in the query of " + CONTEXT + "; did you mean endpoint?"
        + " Known Test options: chunkSize, endpoint, maxAttempts, partSize, pathStyle, region, retryDelay, timeout", message);
    String fromMap = assertThrows(IllegalArgumentException.class, () -> spec().parse(Map.of("PARTSIZE", "1"), Map.of()))
        .getMessage();
    assertContains(fromMap, "unknown Test option 'PARTSIZE' in the options map of " + CONTEXT, "did you mean partSize?");
    String far = assertThrows(IllegalArgumentException.class, () -> options("?colour=blue")).getMessage();
    assertFalse(far.contains("did you mean"), far);
    assertContains(far, "'colour'", "Known Test options: chunkSize, endpoint");
    assertEquals(List.of("chunkSize"), StorageOptions.nearest("chunkSizeBytes", List.of("chunkSize", "region")));
    assertEquals(List.of("maxAttempts", "minAttempts"),
        StorageOptions.nearest("mAttempts", List.of("maxAttempts", "minAttempts", "region")));
    assertEquals(List.of("maxAttempts", "minAttempts"),
        StorageOptions.nearest("mxAttempts", List.of("minAttempts", "maxAttempts")), "nearest first");
    assertEquals(List.of("a1", "a2", "a3"), StorageOptions.nearest("a", List.of("a4", "a3", "a2", "a1")), "three at most");
  }

  @Test
  void renamedKeysSayTheNewNameAndHowToWriteTheValue() {
    StorageOptions.Builder renamed = spec()
        .renamedKey("chunkSizeBytes", "chunkSize", "B")
        .renamedKey("retryDelayMs", "retryDelay", "ms")
        .renamedKey("host", "endpoint");
    String size = assertThrows(IllegalArgumentException.class,
        () -> renamed.parse(Map.of(), URI.create("t://b/p?chunkSizeBytes=8388608"))).getMessage();
    assertEquals(CONTEXT + ": option chunkSizeBytes was renamed chunkSize; write chunkSize=8MiB", size);
    String delay = assertThrows(IllegalArgumentException.class,
        () -> renamed.parse(Map.of("retryDelayMs", "120000"), Map.of())).getMessage();
    assertEquals(CONTEXT + ": option retryDelayMs was renamed retryDelay; write retryDelay=2m", delay);
    String odd = assertThrows(IllegalArgumentException.class,
        () -> renamed.parse(Map.of("retryDelayMs", "soon"), Map.of())).getMessage();
    assertContains(odd, "option retryDelayMs was renamed retryDelay; write retryDelay=30s", "ms, s, m (minutes) or h");
    String plain = assertThrows(IllegalArgumentException.class,
        () -> renamed.parse(Map.of("host", "http://x"), Map.of())).getMessage();
    assertEquals(CONTEXT + ": option host was renamed endpoint; write endpoint=http://x", plain);
  }

  @Test
  void readingAnUndeclaredKeyIsABackendBug() {
    assertThrows(IllegalStateException.class, () -> options("").string("nope"));
  }

  // ---- strings and switches ----

  @Test
  void stringsAreTrimmedAndEmptyMeansTheDefault() {
    StorageOptions o = options("?region=%20eu%20&endpoint=");
    assertEquals(Optional.of("eu"), o.string("region"));
    assertEquals(Optional.empty(), o.string("endpoint"));
    assertEquals("dflt", o.string("endpoint", "dflt"));
    assertTrue(o.isSet("region"));
    assertFalse(o.isSet("endpoint"));
    assertFalse(o.isSet("partSize"));
  }

  @Test
  void switchesAreTrueOrFalseOnly() {
    assertTrue(options("?pathStyle=true").bool("pathStyle", false));
    assertTrue(options("?pathStyle=TRUE").bool("pathStyle", false));
    assertFalse(options("?pathStyle=false").bool("pathStyle", true));
    assertTrue(options("").bool("pathStyle", true));
    for (String bad : new String[] {"yes", "1", "on", "t"}) {
      String message = refused("?pathStyle=" + bad, o -> o.bool("pathStyle", false));
      assertEquals(CONTEXT + ": option pathStyle='" + bad + "' is not a boolean; write pathStyle=true or pathStyle=false",
          message);
    }
  }

  // ---- counts ----

  @Test
  void positiveIntsAreWholeNumbersFromOne() {
    assertEquals(3, options("?maxAttempts=3").positiveInt("maxAttempts", 6));
    assertEquals(6, options("").positiveInt("maxAttempts", 6));
    assertEquals(100, options("?maxAttempts=100").positiveInt("maxAttempts", 6, 100));
    for (String bad : new String[] {"0", "-1", "1.5", "many", "+3"}) {
      assertEquals(CONTEXT + ": option maxAttempts='" + bad + "' is not a positive whole number; write for example"
          + " maxAttempts=6", refused("?maxAttempts=" + bad, o -> o.positiveInt("maxAttempts", 6)));
    }
    assertEquals(CONTEXT + ": option maxAttempts='101' is more than 100, the most allowed; write for example maxAttempts=6",
        refused("?maxAttempts=101", o -> o.positiveInt("maxAttempts", 6, 100)));
    assertContains(refused("?maxAttempts=99999999999999999999", o -> o.positiveInt("maxAttempts", 6)),
        "'99999999999999999999' is more than 2147483647");
  }

  // ---- sizes ----

  @Test
  void sizesAreBytesOrBinaryUnitsInAnyCase() {
    long mib8 = 8L << 20;
    for (String same : new String[] {"8MB", "8MiB", "8m", "8M", "8mb", "8 MiB", " 8 mib ", "8388608", "8388608B",
        "8192K", "8192KB", "8192kib"}) {
      assertEquals(mib8, StorageOptions.parseSize(same), same);
    }
    assertEquals(0, StorageOptions.parseSize("0"));
    assertEquals(1, StorageOptions.parseSize("1b"));
    assertEquals(3L << 30, StorageOptions.parseSize("3GB"));
    assertEquals(3L << 30, StorageOptions.parseSize("3g"));
    assertEquals(2L << 40, StorageOptions.parseSize("2TiB"));
    assertEquals(2L << 40, StorageOptions.parseSize("2t"));
    assertEquals(Long.MAX_VALUE, StorageOptions.parseSize("9223372036854775807"));
    assertEquals(8388607L << 40, StorageOptions.parseSize("8388607TiB"));
  }

  @Test
  void badSizesAreRefusedSayingWhatIsAccepted() {
    String hint = "give a whole number of bytes, or a whole number with a unit (B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T/TB/TiB,"
        + " all powers of 1024), such as 8MiB, 64KiB or 1048576";
    for (String bad : new String[] {"abc", "", "-1", "1.5MiB", "8 M B", "MiB", "0x10"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StorageOptions.parseSize(bad));
      assertEquals("'" + bad + "' is not a size; " + hint, e.getMessage(), bad);
      assertNull(e.getCause(), bad);
    }
    IllegalArgumentException unit = assertThrows(IllegalArgumentException.class, () -> StorageOptions.parseSize("8 apples"));
    assertEquals("'8 apples' has an unknown unit 'apples'; " + hint, unit.getMessage());
    assertContains(assertThrows(IllegalArgumentException.class, () -> StorageOptions.parseSize("8PiB")).getMessage(),
        "unknown unit 'PiB'");
    for (String huge : new String[] {"9223372036854775808", "8388608TiB", "99999999999999999999GiB"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StorageOptions.parseSize(huge));
      assertEquals("'" + huge + "' is too large (the largest size is 9223372036854775807 bytes); " + hint, e.getMessage());
      assertInstanceOf(ArithmeticException.class, e.getCause(), "overflow is told apart: " + huge);
    }
  }

  @Test
  void sizeOptionsNameTheStoreKeyValueAndAGoodValue() {
    assertEquals(8L << 20, options("?partSize=8MB").size("partSize", 1));
    assertEquals(16L << 20, options("").size("partSize", 16L << 20));
    assertEquals(0, options("?partSize=0").size("partSize", 1));
    assertEquals(CONTEXT + ": option partSize='8 apples' has an unknown unit 'apples'; write for example partSize=16MiB"
        + " (a unit: B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T/TB/TiB, all powers of 1024)",
        refused("?partSize=8%20apples", o -> o.size("partSize", 16L << 20)));
    assertEquals(CONTEXT + ": option partSize='4KiB' is out of range: give a size from 5MiB to 5GiB;"
        + " write for example partSize=16MiB",
        refused("?partSize=4KiB", o -> o.size("partSize", 16L << 20, 5L << 20, 5L << 30)));
    assertContains(refused("?partSize=99999999999999999999", o -> o.size("partSize", 16L << 20, 1, 1L << 30)),
        "partSize='99999999999999999999' is out of range: give a size from 1 to 1GiB");
    assertContains(refused("?partSize=99999999999999999999", o -> o.size("partSize", 16L << 20)),
        "partSize='99999999999999999999' is too large (the largest size is 9223372036854775807 bytes);"
            + " write for example partSize=16MiB");
    assertContains(refused("?partSize=0", o -> o.size("partSize", 16L << 20, 1, Long.MAX_VALUE)),
        "partSize='0' is out of range: give a size of at least 1; write for example partSize=16MiB");
  }

  @Test
  void sizesFormatToTheShortestExactForm() {
    assertEquals("8MiB", StorageOptions.formatSize(8L << 20));
    assertEquals("1536KiB", StorageOptions.formatSize(1536L << 10));
    assertEquals("1000", StorageOptions.formatSize(1000));
    assertEquals("0", StorageOptions.formatSize(0));
    assertEquals("2TiB", StorageOptions.formatSize(2L << 40));
    for (long n : new long[] {0, 1, 1023, 1024, 262144, 5L << 20, 3L << 30, 7L << 40, Long.MAX_VALUE}) {
      assertEquals(n, StorageOptions.parseSize(StorageOptions.formatSize(n)), "round trip of " + n);
    }
    assertThrows(IllegalArgumentException.class, () -> StorageOptions.formatSize(-1));
  }

  // ---- durations ----

  @Test
  void durationsTakeAUnitOrIso8601() {
    assertEquals(Duration.ofMillis(500), StorageOptions.parseDuration("500ms"));
    assertEquals(Duration.ofSeconds(30), StorageOptions.parseDuration("30s"));
    assertEquals(Duration.ofSeconds(30), StorageOptions.parseDuration(" 30 S "));
    assertEquals(Duration.ofMinutes(2), StorageOptions.parseDuration("2m"));
    assertEquals(Duration.ofHours(1), StorageOptions.parseDuration("1h"));
    assertEquals(Duration.ofMillis(7), StorageOptions.parseDuration("7MS"));
    assertEquals(Duration.ZERO, StorageOptions.parseDuration("0s"));
    assertEquals(Duration.ofSeconds(30), StorageOptions.parseDuration("PT30S"));
    assertEquals(Duration.ofMillis(1500), StorageOptions.parseDuration("pt1.5s"));
  }

  @Test
  void aPlainNumberIsRefusedAsAmbiguous() {
    for (String plain : new String[] {"30", "1000", "0"}) {
      assertEquals("'" + plain + "' has no unit (a plain number could be milliseconds or seconds); give a unit, such as"
          + " 500ms or 30s", assertThrows(IllegalArgumentException.class, () -> StorageOptions.parseDuration(plain))
          .getMessage());
    }
  }

  @Test
  void badDurationsAreRefusedSayingWhatIsAccepted() {
    String hint = "give a whole number with a unit (ms, s, m (minutes) or h), such as 500ms, 30s or 2m, or ISO-8601 such as"
        + " PT30S";
    for (String bad : new String[] {"soon", "", "-5s", "1.5s", "PT", "P1Y"}) {
      assertEquals("'" + bad + "' is not a duration; " + hint,
          assertThrows(IllegalArgumentException.class, () -> StorageOptions.parseDuration(bad)).getMessage(), bad);
    }
    assertEquals("'5min' has an unknown unit 'min'; " + hint,
        assertThrows(IllegalArgumentException.class, () -> StorageOptions.parseDuration("5min")).getMessage());
    assertEquals("'-PT5S' is negative; " + hint,
        assertThrows(IllegalArgumentException.class, () -> StorageOptions.parseDuration("-PT5S")).getMessage());
    assertEquals("'99999999999999999999h' is too long; " + hint,
        assertThrows(IllegalArgumentException.class, () -> StorageOptions.parseDuration("99999999999999999999h")).getMessage());
  }

  @Test
  void durationOptionsNameTheStoreKeyValueAndAGoodValue() {
    assertEquals(Duration.ofMillis(250), options("?timeout=250ms").duration("timeout", Duration.ofSeconds(10)));
    assertEquals(Duration.ofSeconds(10), options("").duration("timeout", Duration.ofSeconds(10)));
    assertEquals(CONTEXT + ": option timeout='1000' has no unit (a plain number could be milliseconds or seconds);"
        + " write for example timeout=10s (a unit: ms, s, m (minutes) or h; or ISO-8601 such as PT30S)",
        refused("?timeout=1000", o -> o.duration("timeout", Duration.ofSeconds(10))));
    assertEquals(CONTEXT + ": option timeout='0s' is out of range: give a duration from 1ms to 1h; write for example"
        + " timeout=10s",
        refused("?timeout=0s", o -> o.duration("timeout", Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofHours(1))));
    assertContains(refused("?timeout=2h", o -> o.duration("timeout", Duration.ofSeconds(10), Duration.ZERO, Duration.ofHours(1))),
        "timeout='2h' is out of range");
    assertContains(refused("?timeout=99999999999999999999h", o -> o.duration("timeout", Duration.ofSeconds(10))),
        "timeout='99999999999999999999h' is too long; write for example timeout=10s");
    assertContains(refused("?timeout=99999999999999999999h",
        o -> o.duration("timeout", Duration.ofSeconds(10), Duration.ZERO, Duration.ofHours(1))),
        "timeout='99999999999999999999h' is out of range: give a duration from 0s to 1h");
    assertContains(refused("?timeout=0ms",
        o -> o.duration("timeout", Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))),
        "timeout='0ms' is out of range: give a duration of at least 1ms");
  }

  @Test
  void durationsFormatToTheShortestExactForm() {
    assertEquals("30s", StorageOptions.formatDuration(Duration.ofSeconds(30)));
    assertEquals("2m", StorageOptions.formatDuration(Duration.ofSeconds(120)));
    assertEquals("1h", StorageOptions.formatDuration(Duration.ofMinutes(60)));
    assertEquals("1500ms", StorageOptions.formatDuration(Duration.ofMillis(1500)));
    assertEquals("0s", StorageOptions.formatDuration(Duration.ZERO));
    assertEquals("PT0.0000015S", StorageOptions.formatDuration(Duration.ofNanos(1500)));
    for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(1), Duration.ofSeconds(90), Duration.ofHours(36),
        Duration.ofNanos(1500), Duration.ofSeconds(Long.MAX_VALUE)}) {
      assertEquals(d, StorageOptions.parseDuration(StorageOptions.formatDuration(d)), "round trip of " + d);
    }
    assertThrows(IllegalArgumentException.class, () -> StorageOptions.formatDuration(Duration.ofSeconds(-1)));
  }

  // ---- a backend's own rules ----

  @Test
  void invalidWordsABackendsOwnRuleLikeTheRest() {
    StorageOptions o = options("?partSize=1MiB");
    assertEquals(CONTEXT + ": option partSize='1MiB' is below the minimum; write partSize=5MiB or more",
        o.invalid("partSize", "is below the minimum; write partSize=5MiB or more").getMessage());
    assertEquals("Test store: option region='' x",
        StorageOptions.forStore("Test", "").knownKeys("region").parse(Map.of(), Map.of()).invalid("region", "x").getMessage());
  }
}
