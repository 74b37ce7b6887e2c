package dev.ama.storage.gcs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.gcs.testing.GcsTestServer;
import dev.ama.storage.gcs.testing.GcsTestServer.RecordedRequest;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GCS-specific behaviour, through gs:// URIs and the real client against {@link GcsTestServer}. */
class GcsStorageTest {
  private static final String BUCKET = "ama-test";
  private static final int CHUNK = 256 * 1024;
  /** Small thresholds so resumable uploads and their chunking run on small content. */
  private static final String RESUMABLE = "&directUploadMax=1KiB&chunkSize=" + CHUNK;
  private static final AtomicInteger STORES = new AtomicInteger();
  private static GcsTestServer server;

  private String prefix;
  private Storage storage;

  @BeforeAll
  static void startServer() throws Exception {
    server = GcsTestServer.start().createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void openStore() throws Exception {
    prefix = "store-" + STORES.incrementAndGet();
    storage = Storages.open(server.storeUri(BUCKET, prefix));
  }

  @AfterEach
  void closeStore() throws Exception {
    server.denyAccess(false);
    server.failNext(0, 503);
    storage.close();
  }

  private Storage open(String extraQuery) throws IOException {
    return Storages.open(server.storeUri(BUCKET, prefix) + extraQuery);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  private static List<String> keys(Stream<ObjectInfo> listing) {
    try (listing) {
      return listing.map(ObjectInfo::key).toList();
    }
  }

  private List<RecordedRequest> requestsSince(int mark) {
    List<RecordedRequest> all = server.requests();
    return all.subList(mark, all.size());
  }

  @Test
  void opensThroughStoragesAsGcsStorageAtItsLocation() throws Exception {
    GcsStorage gcs = assertInstanceOf(GcsStorage.class, storage);
    assertEquals("gs://" + BUCKET + "/" + prefix, storage.location());
    assertEquals(BUCKET, gcs.bucket());
    assertEquals(prefix + "/", gcs.prefix());
  }

  @Test
  void keysAreObjectsUnderThePrefix() throws Exception {
    storage.putIfAbsent("blobs/sha256/ab/ab12", Content.ofBytes(bytes("x")));
    assertTrue(server.objectBytes(BUCKET, prefix + "/blobs/sha256/ab/ab12").isPresent());
    try (Storage root = Storages.open(server.storeUri(BUCKET, ""))) {
      assertEquals("gs://" + BUCKET, root.location());
      assertArrayEquals(bytes("x"), readAll(root.open(prefix + "/blobs/sha256/ab/ab12")));
    }
  }

  @Test
  void smallPutIfAbsentIsOneCreateOnlyRequest() throws Exception {
    int mark = server.requests().size();
    assertEquals(PutOutcome.CREATED, storage.putIfAbsent("a/b", Content.ofBytes(bytes("hello"))));
    List<RecordedRequest> sent = requestsSince(mark);
    assertEquals(1, sent.size(), sent.toString());
    assertEquals("multipart", sent.get(0).query().get("uploadType"));
    assertEquals("0", sent.get(0).query().get("ifGenerationMatch"));
  }

  @Test
  void largeContentUploadsResumablyInBoundedChunks() throws Exception {
    byte[] data = random(4 * CHUNK + 12_345, 1);
    try (Storage s = open(RESUMABLE)) {
      int mark = server.requests().size();
      assertEquals(PutOutcome.CREATED, s.putIfAbsent("big", Content.ofBytes(data)));
      List<RecordedRequest> sent = requestsSince(mark);
      RecordedRequest start = sent.get(0);
      assertEquals("resumable", start.query().get("uploadType"));
      assertEquals("0", start.query().get("ifGenerationMatch"));
      List<RecordedRequest> puts = sent.stream().filter(r -> r.method().equals("PUT")).toList();
      assertTrue(puts.size() >= 5, "expected at least 5 chunk PUTs, got " + puts);
      assertTrue(puts.stream().allMatch(r -> r.bodyLength() <= CHUNK), "a chunk exceeded the chunk size: " + puts);
      assertArrayEquals(data, readAll(s.open("big")));
      assertEquals(data.length, s.stat("big").orElseThrow().size());
    }
  }

  @Test
  void largeContentIsStreamedNotLoaded() throws Exception {
    // 64 MiB from a generator: never materialised on the client side.
    long size = 64L << 20;
    Content generated = new Content() {
      @Override
      public long length() {
        return size;
      }

      @Override
      public InputStream openStream() {
        return new InputStream() {
          long pos;

          @Override
          public int read() {
            return pos < size ? (int) (pos++ * 31 & 0xff) : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (pos >= size) {
              return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) {
              b[off + i] = (byte) (pos++ * 31);
            }
            return n;
          }
        };
      }
    };
    try (Storage s = open("&chunkSize=" + (4 * CHUNK))) {
      assertEquals(PutOutcome.CREATED, s.putIfAbsent("huge", generated));
      assertEquals(size, s.stat("huge").orElseThrow().size());
      byte[] tail = readAll(s.open("huge", size - 10, 100));
      for (int i = 0; i < 10; i++) {
        assertEquals((byte) ((size - 10 + i) * 31), tail[i]);
      }
    }
    storage.delete("huge");
  }

  @Test
  void resumablePutIfAbsentOnAnExistingKeyReportsItAndKeepsTheOriginal() throws Exception {
    byte[] first = random(3 * CHUNK, 2);
    byte[] second = random(3 * CHUNK, 3);
    try (Storage s = open(RESUMABLE)) {
      assertEquals(PutOutcome.CREATED, s.putIfAbsent("big", Content.ofBytes(first)));
      assertEquals(PutOutcome.ALREADY_EXISTS, s.putIfAbsent("big", Content.ofBytes(second)));
      assertArrayEquals(first, readAll(s.open("big")));
    }
  }

  @Test
  void eightRacingResumableWritersHaveExactlyOneWinner() throws Exception {
    try (Storage s = open(RESUMABLE)) {
      race(s, 2 * CHUNK + 17);
    }
  }

  private void race(Storage s, int size) throws Exception {
    int writers = 8;
    for (int round = 0; round < 3; round++) {
      String key = "race/" + size + "/" + round;
      CyclicBarrier barrier = new CyclicBarrier(writers);
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      try {
        List<Future<PutOutcome>> outcomes = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          byte[] content = random(size, 100L * round + w);
          contents.add(content);
          Callable<PutOutcome> task = () -> {
            barrier.await(10, TimeUnit.SECONDS);
            return s.putIfAbsent(key, Content.ofBytes(content));
          };
          outcomes.add(pool.submit(task));
        }
        List<Integer> winners = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          if (outcomes.get(w).get(60, TimeUnit.SECONDS) == PutOutcome.CREATED) {
            winners.add(w);
          }
        }
        assertEquals(1, winners.size(), "winners of round " + round + ": " + winners);
        assertArrayEquals(contents.get(winners.get(0)), readAll(s.open(key)), "the object holds the winner's bytes");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void putOverwritesBothSmallAndLarge() throws Exception {
    try (Storage s = open(RESUMABLE)) {
      s.put("hint", Content.ofBytes(bytes("1")));
      s.put("hint", Content.ofBytes(bytes("2")));
      assertArrayEquals(bytes("2"), readAll(s.open("hint")));
      byte[] big = random(CHUNK + 1, 4);
      s.put("hint", Content.ofBytes(big));
      assertArrayEquals(big, readAll(s.open("hint")));
    }
  }

  @Test
  void contentShorterOrLongerThanDeclaredWritesNothing() throws Exception {
    try (Storage s = open(RESUMABLE)) {
      for (int declared : new int[] {10, 3 * CHUNK}) {
        for (int actual : new int[] {declared - 1, declared + 1}) {
          byte[] data = random(actual, actual);
          Content lying = new Content() {
            @Override
            public long length() {
              return declared;
            }

            @Override
            public InputStream openStream() {
              return new java.io.ByteArrayInputStream(data);
            }
          };
          String key = "lying-" + declared + "-" + actual;
          IOException e = assertThrows(IOException.class, () -> s.putIfAbsent(key, lying));
          assertTrue(e.getMessage().contains(key) && e.getMessage().contains("declared " + declared), e.getMessage());
          assertTrue(s.stat(key).isEmpty(), "no object may appear for " + key);
        }
      }
    }
  }

  @Test
  void wholeObjectReadsTakeOneRequest() throws Exception {
    byte[] data = random(300_000, 8);
    storage.putIfAbsent("one", Content.ofBytes(data));
    int mark = server.requests().size();
    assertArrayEquals(data, readAll(storage.open("one")));
    assertEquals(1, requestsSince(mark).size(), describe(requestsSince(mark)));
    mark = server.requests().size();
    assertThrows(ObjectNotFoundException.class, () -> storage.open("two"));
    assertEquals(1, requestsSince(mark).size(), describe(requestsSince(mark)));
  }

  @Test
  void rangedReadsSendARangeAndReturnExactlyTheRange() throws Exception {
    byte[] data = random(100_000, 5);
    storage.putIfAbsent("r", Content.ofBytes(data));
    int mark = server.requests().size();
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 1100), readAll(storage.open("r", 1000, 100)));
    assertTrue(requestsSince(mark).stream().anyMatch(r -> r.header("Range").orElse("").startsWith("bytes=1000-")),
        "expected a Range request: " + requestsSince(mark));
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 99_990, 100_000), readAll(storage.open("r", 99_990, 1_000)));
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 1), readAll(storage.open("r", 0, 1)));
    assertArrayEquals(data, readAll(storage.open("r", 0, Long.MAX_VALUE)));
    assertEquals(0, readAll(storage.open("r", 100_000, 10)).length);
    assertEquals(0, readAll(storage.open("r", 5, 0)).length);
    assertThrows(EOFException.class, () -> storage.open("r", 100_001, 1));
    assertThrows(IllegalArgumentException.class, () -> storage.open("r", -1, 1));
  }

  @Test
  void missingObjectsAreNotFound() throws Exception {
    assertTrue(storage.stat("nope").isEmpty());
    ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> storage.open("nope"));
    assertEquals("nope", e.key());
    assertTrue(e.getMessage().contains("gs://" + BUCKET + "/" + prefix), e.getMessage());
    assertThrows(ObjectNotFoundException.class, () -> storage.open("nope", 10, 10));
    assertFalse(storage.delete("nope"));
  }

  @Test
  void listingFetchesPagesOfAThousandAndStartsAtStartAfterServerSide() throws Exception {
    int n = 1_205;
    List<String> expected = IntStream.range(0, n).mapToObj(i -> String.format("m/%05d", i)).toList();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<PutOutcome>> done = new ArrayList<>();
      for (String k : expected) {
        done.add(pool.submit(() -> storage.putIfAbsent(k, Content.ofBytes(bytes(k)))));
      }
      for (Future<PutOutcome> f : done) {
        assertEquals(PutOutcome.CREATED, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    int mark = server.requests().size();
    assertEquals(expected, keys(storage.list("m/")));
    List<RecordedRequest> lists = requestsSince(mark);
    assertEquals(2, lists.size(), "1205 keys take two pages of 1000: " + describe(lists));
    assertEquals("1000", lists.get(0).query().get("maxResults"));
    assertTrue(lists.get(1).query().containsKey("pageToken"));

    mark = server.requests().size();
    assertEquals(expected.subList(1100, n), keys(storage.list("m/", "m/01099")));
    lists = requestsSince(mark);
    assertEquals(1, lists.size(), "startOffset skips the keys before startAfter on the server: " + describe(lists));
    assertEquals(prefix + "/m/01099", lists.get(0).query().get("startOffset"));
  }

  @Test
  void listingIsLazy() throws Exception {
    for (int i = 0; i < 30; i++) {
      storage.putIfAbsent("lazy/" + i, Content.ofBytes(bytes("x")));
    }
    try (Storage small = open("&listPageSize=10")) {
      int mark = server.requests().size();
      try (Stream<ObjectInfo> s = small.list("lazy/")) {
        assertEquals(3, s.limit(3).count());
      }
      assertEquals(1, requestsSince(mark).size(), "only the first page is fetched");
    }
  }

  @Test
  void keysNeedingUrlEscapesRoundTripAndListInByteOrder() throws Exception {
    List<String> keys = List.of("u/a b", "u/a+b", "u/a%20b", "u/a&b=c?d#e", "u/z", "u/\u00e9", "u/\uffff", "u/\ud83d\ude00", "u/A");
    for (String k : keys) {
      storage.putIfAbsent(k, Content.ofBytes(bytes(k)));
    }
    List<String> sorted = keys.stream().sorted(dev.ama.spi.StorageKeys.ORDER).toList();
    assertEquals(sorted, keys(storage.list("u/")));
    for (String k : keys) {
      assertArrayEquals(bytes(k), readAll(storage.open(k)), k);
    }
  }

  @Test
  void listingSkipsFolderPlaceholders() throws Exception {
    try (Storage root = Storages.open(server.storeUri(BUCKET, ""))) {
      root.putIfAbsent(prefix + "/f/real", Content.ofBytes(bytes("x")));
    }
    // Consoles create "folder/" objects; they are not keys of the store.
    com.google.cloud.storage.Storage client = com.google.cloud.storage.StorageOptions.http()
        .setHost(server.endpoint()).setProjectId("test").setCredentials(com.google.cloud.NoCredentials.getInstance())
        .build().getService();
    client.create(com.google.cloud.storage.BlobInfo.newBuilder(BUCKET, prefix + "/f/").build(), new byte[0]);
    assertEquals(List.of("f/real"), keys(storage.list("")));
  }

  @Test
  void aMissingBucketIsReportedWhenOpening() {
    IOException e = assertThrows(IOException.class, () -> Storages.open(server.storeUri("no-such-bucket", "p")));
    assertTrue(e.getMessage().contains("no-such-bucket") && e.getMessage().contains("does not exist")
        && e.getMessage().contains("gcloud storage buckets create"), e.getMessage());
  }

  @Test
  void aMissingBucketIsReportedByWritesWhenTheCheckIsOff() throws Exception {
    try (Storage s = Storages.open(server.storeUri("no-such-bucket", "p") + "&checkBucket=false")) {
      IOException e = assertThrows(IOException.class, () -> s.putIfAbsent("k", Content.ofBytes(bytes("x"))));
      assertFalse(e instanceof ObjectNotFoundException);
      assertTrue(e.getMessage().contains("no-such-bucket") && e.getMessage().contains("does not exist"), e.getMessage());
      IOException l = assertThrows(IOException.class, () -> s.list(""));
      assertTrue(l.getMessage().contains("no-such-bucket"), l.getMessage());
    }
  }

  @Test
  void permissionDeniedNamesTheObjectAndTheFix() throws Exception {
    server.denyAccess(true);
    for (Callable<?> op : List.<Callable<?>>of(
        () -> storage.stat("secret"),
        () -> storage.open("secret"),
        () -> storage.putIfAbsent("secret", Content.ofBytes(bytes("x"))),
        () -> storage.list("x/"),
        () -> storage.delete("secret"))) {
      IOException e = assertThrows(IOException.class, op::call);
      assertTrue(e.getMessage().contains("permission denied") && e.getMessage().contains("gs://" + BUCKET + "/" + prefix)
          && e.getMessage().contains("roles/storage.objectUser"), e.getMessage());
    }
    // Opening only checks the bucket when allowed to: object-only permissions are enough.
    Storage s = Storages.open(server.storeUri(BUCKET, prefix));
    s.close();
  }

  @Test
  void transientFailuresAreRetried() throws Exception {
    storage.putIfAbsent("t", Content.ofBytes(bytes("x")));
    server.failNext(2, 503);
    assertEquals(1, storage.stat("t").orElseThrow().size());
    server.failNext(2, 429);
    assertEquals(PutOutcome.CREATED, storage.putIfAbsent("t2", Content.ofBytes(bytes("y"))));
    server.failNext(2, 503);
    assertArrayEquals(bytes("x"), readAll(storage.open("t")));
  }

  @Test
  void overwritesAndDeletesAreRetriedToo() throws Exception {
    // Overwrites carry no precondition, so the client's default policy would not retry them; for
    // AMA a retried overwrite of a hint or a retried delete is harmless.
    server.failNext(2, 503);
    storage.put("hint", Content.ofBytes(bytes("1")));
    assertArrayEquals(bytes("1"), readAll(storage.open("hint")));
    server.failNext(2, 503);
    storage.delete("hint");
    assertTrue(storage.stat("hint").isEmpty());
  }

  @Test
  void persistentFailuresSayHowOftenTheyWereTried() {
    server.failNext(10, 503);
    IOException e = assertThrows(IOException.class, () -> storage.stat("t"));
    assertTrue(e.getMessage().contains("503") && e.getMessage().contains("after up to 3 attempts")
        && e.getMessage().contains(prefix + "/t"), e.getMessage());
  }

  @Test
  void resumableUploadsSurviveTransientFailures() throws Exception {
    byte[] data = random(3 * CHUNK + 5, 6);
    try (Storage s = open(RESUMABLE)) {
      server.failNext(2, 503, "PUT");
      int mark = server.requests().size();
      assertEquals(PutOutcome.CREATED, s.putIfAbsent("flaky", Content.ofBytes(data)));
      assertTrue(requestsSince(mark).stream().filter(r -> r.method().equals("PUT")).count() >= 6,
          "failed chunks were sent again: " + describe(requestsSince(mark)));
      assertArrayEquals(data, readAll(s.open("flaky")));
    }
  }

  @Test
  void anUnreachableEndpointIsNamed() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String uri = "gs://" + BUCKET + "/p?host=http://127.0.0.1:" + port + "&maxAttempts=2&retryInitialDelay=1ms";
    long start = System.nanoTime();
    IOException e = assertThrows(IOException.class, () -> Storages.open(uri));
    assertTrue(e.getMessage().contains("http://127.0.0.1:" + port) && e.getMessage().contains("unreachable"), e.getMessage());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 20);
  }

  @Test
  void uriOptionsAreValidated() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> Storages.open(server.storeUri(BUCKET, "p") + "&chunkSzie=5"));
    assertTrue(unknown.getMessage().contains("chunkSzie") && unknown.getMessage().contains("chunkSize"), unknown.getMessage());
    IllegalArgumentException chunk = assertThrows(IllegalArgumentException.class,
        () -> Storages.open(server.storeUri(BUCKET, "p") + "&chunkSize=300000"));
    assertTrue(chunk.getMessage().contains("256 KiB"), chunk.getMessage());
    IllegalArgumentException bucket = assertThrows(IllegalArgumentException.class, () -> Storages.open("gs://Bad_Bucket/p"));
    assertTrue(bucket.getMessage().contains("Bad_Bucket") && bucket.getMessage().contains("bucket name"), bucket.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Storages.open("gs:///p"));
    assertTrue(none.getMessage().contains("no bucket"), none.getMessage());
    IllegalArgumentException badPrefix = assertThrows(IllegalArgumentException.class,
        () -> Storages.open("gs://" + BUCKET + "/a/../b?host=" + server.endpoint()));
    assertTrue(badPrefix.getMessage().contains("prefix"), badPrefix.getMessage());
  }

  @Test
  void optionsMapConfiguresAndTheUriWins() throws Exception {
    try (Storage s = Storages.open("gs://" + BUCKET + "/" + prefix,
        java.util.Map.of("host", server.endpoint(), "maxAttempts", "1"))) {
      server.failNext(1, 503);
      IOException e = assertThrows(IOException.class, () -> s.stat("x"));
      assertTrue(e.getMessage().contains("after up to 1 attempts"), e.getMessage());
    }
    try (Storage s = Storages.open("gs://" + BUCKET + "/" + prefix + "?maxAttempts=3",
        java.util.Map.of("host", server.endpoint(), "maxAttempts", "1", "retryInitialDelay", "1ms"))) {
      server.failNext(1, 503);
      assertTrue(s.stat("x").isEmpty());
    }
  }

  @Test
  void theEmulatorEnvironmentVariablePointsPlainUrisAtTheServer() throws Exception {
    GcsStorageProvider provider = new GcsStorageProvider();
    String host = server.endpoint().substring("http://".length());
    try (Storage s = provider.open(java.net.URI.create("gs://" + BUCKET + "/" + prefix), java.util.Map.of(),
        java.util.Map.of("STORAGE_EMULATOR_HOST", host))) {
      s.putIfAbsent("env", Content.ofBytes(bytes("x")));
    }
    assertArrayEquals(bytes("x"), readAll(storage.open("env")));
  }

  @Test
  void aMissingCredentialsFileNamesThePathAndTheFix() {
    IOException e = assertThrows(IOException.class,
        () -> Storages.open(server.storeUri(BUCKET, "p") + "&credentialsFile=/no/such/key.json"));
    assertTrue(e.getMessage().contains("/no/such/key.json") && e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void missingApplicationDefaultCredentialsAreExplained() {
    boolean haveCredentials;
    try {
      com.google.auth.oauth2.GoogleCredentials.getApplicationDefault();
      haveCredentials = true;
    } catch (IOException e) {
      haveCredentials = false;
    }
    org.junit.jupiter.api.Assumptions.assumeFalse(haveCredentials,
        "this machine has Application Default Credentials, so their absence cannot be shown");
    GcsStorageProvider provider = new GcsStorageProvider();
    // A non-loopback emulator host still needs credentials; nothing is sent to it.
    IOException e = assertThrows(dev.ama.spi.StorageCredentialsException.class, () -> provider.open(
        java.net.URI.create("gs://" + BUCKET + "/p?host=http://gcs.invalid:4443"), java.util.Map.of(), java.util.Map.of()));
    assertTrue(e.getMessage().contains("no Google Cloud credentials") && e.getMessage().contains("gcloud auth application-default login")
        && e.getMessage().contains("GOOGLE_APPLICATION_CREDENTIALS"), e.getMessage());
    assertTrue(e.getMessage().length() <= 3 * 80 && !e.getMessage().contains("\n"), "short: " + e.getMessage());
  }

  @Test
  void wrapUsesACallerConfiguredClientAndLeavesItOpen() throws Exception {
    com.google.cloud.storage.Storage client = com.google.cloud.storage.StorageOptions.http()
        .setHost(server.endpoint()).setProjectId("test").setCredentials(com.google.cloud.NoCredentials.getInstance())
        .build().getService();
    try (GcsStorage s = GcsStorage.wrap(client, BUCKET, prefix, GcsProperties.defaults())) {
      s.putIfAbsent("w", Content.ofBytes(bytes("x")));
    }
    assertEquals(1, client.get(BUCKET, prefix + "/w").getSize());
    client.close();
  }

  @Test
  void noUploadSessionIsLeftBehindBySuccessfulUploads() throws Exception {
    int before = server.openUploadSessions();
    try (Storage s = open(RESUMABLE)) {
      s.putIfAbsent("one", Content.ofBytes(random(CHUNK * 2, 7)));
    }
    assertEquals(before, server.openUploadSessions());
  }

  static String describe(List<RecordedRequest> requests) {
    return requests.stream().map(RecordedRequest::toString).collect(Collectors.joining("\n"));
  }
}
