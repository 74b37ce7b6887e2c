package dev.ama.storage.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.StorageKeys;
import dev.ama.spi.StorageLocation;
import dev.ama.spi.Storages;
import dev.ama.spi.UnsupportedStorageOperationException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The storage SPI's contract as executable tests, specified in prose in {@code
 * docs/storage-spi.md}; each test is named after the rule it checks.
 *
 * <p>A backend author extends this class in one small test class and implements {@link
 * #createFixture(String)}; every test is inherited. Before each test the suite checks that the
 * fixture's storage is the backend the binding meant (its class, its location, its
 * capabilities), so a misconfigured binding fails instead of silently testing something else.
 * Tests that need a capability the backend does not declare are skipped (JUnit assumptions), and
 * the suite checks instead that the backend refuses the operation clearly.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
public abstract class StorageContract {
  /**
   * How far a modification time a backend reports may be from this machine's clock at the time
   * of the write, for a backend declaring {@link StorageCapability#MODIFICATION_TIMES}: garbage
   * collection tolerates no more between a store's clock and its times.
   */
  public static final Duration MODIFICATION_TIME_TOLERANCE = Duration.ofMinutes(1);

  /** The seed of the large objects the streaming checks write, here and in a child process. */
  static final long LARGE_SEED = 26;

  private static final int WRITERS = 8;
  private static final int PROCESSES = 3;
  private static final Duration WAIT = Duration.ofSeconds(60);

  private StorageFixture fixture;
  private String testId;

  /**
   * Opens the fixture for one test: a fresh, empty storage of the backend under test, on a prefix
   * (a directory, a bucket prefix) no other test uses, described by what it is expected to be.
   * Called before every test; the suite closes the fixture after it.
   *
   * @param testId a name unique to this test run, made of lower-case ASCII letters, digits and
   *     {@code -} (at most 60 characters), to use as that prefix
   */
  protected abstract StorageFixture createFixture(String testId) throws Exception;

  /** The fixture of the running test. */
  protected final StorageFixture fixture() {
    return fixture;
  }

  /** The storage under test. */
  protected final Storage storage() {
    return fixture.storage();
  }

  @BeforeEach
  final void openFixture(TestInfo info) throws Exception {
    testId = StorageFixture.testId(info);
    fixture = createFixture(testId);
    if (fixture == null) {
      throw new IllegalStateException(getClass().getName() + ".createFixture returned null");
    }
    fixture.checkHandedOver(getClass().getName());
  }

  @AfterEach
  final void closeFixture() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  // ---------------------------------------------------------------- the backend under test

  @Test
  void fixtureHandsOverTheBackendUnderTest() throws IOException {
    // checkFixture ran before this test; here: the declared capabilities hold, and it is empty.
    assertFalse(storage().location().isBlank(), "location() is blank");
    assertFalse(carriesUserInfo(storage().location()),
        "location() " + storage().location() + " carries user information, which may be credentials");
    if (fixture.has(StorageCapability.LIST)) {
      assertEquals(List.of(), keys(""),
          "the storage handed to test " + testId + " is not empty; give every test a fresh prefix");
    } else {
      assertThrows(UnsupportedStorageOperationException.class, () -> storage().list(""));
    }
    if (!fixture.has(StorageCapability.WRITE)) {
      assertThrows(UnsupportedStorageOperationException.class,
          () -> storage().putIfAbsent("probe", Content.ofBytes(new byte[1])));
    }
  }

  // ---------------------------------------------------------------- reading

  @Test
  void statOfMissingKeyIsEmpty() throws IOException {
    assertEquals(Optional.empty(), storage().stat("missing"));
    assertEquals(Optional.empty(), storage().stat("missing/deeper/key.json"));
    given("present/a", bytes(1, 10));
    assertEquals(Optional.empty(), storage().stat("present/b"));
    assertEquals(Optional.empty(), storage().stat("present"), "a prefix of a key is not an object");
  }

  @Test
  void statReportsSizeAndARecentModificationTime() throws IOException {
    Instant before = Instant.now();
    given("stat/object.bin", bytes(2, 12_345));
    Instant after = Instant.now();
    ObjectInfo info = storage().stat("stat/object.bin").orElseThrow(
        () -> new AssertionError("stat of an object just written is empty"));
    assertEquals("stat/object.bin", info.key());
    assertEquals(12_345, info.size());
    // Generous bounds: a remote store's clock and HTTP's whole-second dates are not ours.
    assertTrue(!info.lastModified().isBefore(before.minus(Duration.ofMinutes(10)))
            && !info.lastModified().isAfter(after.plus(Duration.ofMinutes(10))),
        "lastModified " + info.lastModified() + " is not near the time of the write (" + before + ")");
  }

  @Test
  void openOfMissingKeyThrowsObjectNotFound() throws IOException {
    given("other/object", bytes(3, 5));
    for (String key : List.of("missing", "other/missing", "other")) {
      ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> readAll(key));
      assertEquals(key, e.key(), "ObjectNotFoundException.key()");
      ObjectNotFoundException ranged = assertThrows(ObjectNotFoundException.class,
          () -> {
            try (InputStream in = storage().open(key, 0, 10)) {
              in.readAllBytes();
            }
          });
      assertEquals(key, ranged.key(), "ObjectNotFoundException.key() of a ranged open");
    }
  }

  @Test
  void keysAboveOrBeneathAnObjectAreOrdinaryMisses() throws IOException {
    // A filesystem cannot hold "a" and "a/b" at once. Asking about the other one must still be an
    // ordinary miss, and writing it must create it or be refused, never be told ALREADY_EXISTS.
    given("leaf", bytes(32, 10));
    given("tree/leaf", bytes(33, 10));
    assertEquals(Optional.empty(), storage().stat("leaf/child"));
    assertEquals(Optional.empty(), storage().stat("tree"));
    for (String key : List.of("leaf/child", "leaf/child/grandchild", "tree")) {
      ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> readAll(key));
      assertEquals(key, e.key());
      assertThrows(ObjectNotFoundException.class, () -> readRange(key, 0, 1));
    }
    if (fixture.has(StorageCapability.WRITE)) {
      for (String key : List.of("leaf/child", "leaf/child/grandchild", "tree")) {
        assertFalse(storage().delete(key), "delete of " + key);
        try {
          assertEquals(PutOutcome.CREATED, storage().putIfAbsent(key, Content.ofBytes(bytes(34, 5))),
              "putIfAbsent of " + key + " must create it or refuse with an IOException");
          assertArrayEquals(bytes(34, 5), readAll(key));
        } catch (IOException refused) {
          assertEquals(Optional.empty(), storage().stat(key), "a refused putIfAbsent left " + key);
        }
      }
    }
    assertArrayEquals(bytes(32, 10), readAll("leaf"));
    assertArrayEquals(bytes(33, 10), readAll("tree/leaf"));
  }

  @Test
  void zeroByteObjectsRoundTrip() throws IOException {
    given("empty/object", new byte[0]);
    assertEquals(0, storage().stat("empty/object").orElseThrow().size());
    assertArrayEquals(new byte[0], readAll("empty/object"));
    assertArrayEquals(new byte[0], readRange("empty/object", 0, 10));
    assertThrows(EOFException.class, () -> readRange("empty/object", 1, 1));
  }

  @Test
  void multiMebibyteObjectsRoundTrip() throws IOException {
    int size = (6 << 20) + 123; // above S3's 5 MiB multipart minimum, not a whole number of parts
    byte[] data = bytes(4, size);
    given("big/object.bin", data);
    assertEquals(size, storage().stat("big/object.bin").orElseThrow().size());
    assertArrayEquals(data, readAll("big/object.bin"), "bytes read back differ from those written");
    int from = (5 << 20) - 10;
    assertArrayEquals(java.util.Arrays.copyOfRange(data, from, from + (1 << 20)),
        readRange("big/object.bin", from, 1 << 20), "a range across the 5 MiB mark");
  }

  @Test
  void rangedReadsReturnExactlyTheRequestedBytes() throws IOException {
    byte[] data = bytes(5, 10_000);
    given("range/object", data);
    String key = "range/object";
    assertArrayEquals(slice(data, 0, 100), readRange(key, 0, 100), "range at the start");
    assertArrayEquals(slice(data, 4_000, 1_234), readRange(key, 4_000, 1_234), "range in the middle");
    assertArrayEquals(slice(data, 9_900, 100), readRange(key, 9_900, 100), "range at the end");
    assertArrayEquals(slice(data, 9_990, 10), readRange(key, 9_990, 100), "range past the end is clipped");
    assertArrayEquals(data, readRange(key, 0, Long.MAX_VALUE), "range covering everything");
    assertArrayEquals(new byte[0], readRange(key, 10_000, 5), "offset == size gives an empty stream");
    assertArrayEquals(new byte[0], readRange(key, 500, 0), "length 0 gives an empty stream");
    assertThrows(EOFException.class, () -> readRange(key, 10_001, 5), "offset > size");
    assertThrows(IllegalArgumentException.class, () -> storage().open(key, -1, 5), "negative offset");
    assertThrows(IllegalArgumentException.class, () -> storage().open(key, 0, -5), "negative length");
  }

  @Test
  void keysWithSpacesAndNonAsciiLettersRoundTrip() throws IOException {
    List<String> keys = unicodeKeys("names/");
    for (int i = 0; i < keys.size(); i++) {
      given(keys.get(i), ("object " + i).getBytes(StandardCharsets.UTF_8));
    }
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      assertArrayEquals(("object " + i).getBytes(StandardCharsets.UTF_8), readAll(key), "bytes of " + key);
      assertEquals(key, storage().stat(key).orElseThrow(() -> new AssertionError("stat of " + key)).key());
    }
    if (fixture.has(StorageCapability.LIST)) {
      // Exactly the keys written, byte for byte; their order is listingFollowsUtf8ByteOrderNotUtf16Order's.
      assertEquals(new java.util.TreeSet<>(keys), new java.util.TreeSet<>(keys("names/")),
          "keys listed are not exactly the keys written");
    }
  }

  @Test
  void malformedKeysAreRefusedBeforeReachingTheStore() throws IOException {
    List<String> malformed = List.of("", "/abs", "trailing/", "a//b", "../escape", "a/../../b", "a/./b",
        "back\\slash", "nul\u0000char", "line\nbreak", ".ama-tmp/x", "x/.ama-part",
        "lone\ud83dsurrogate", "reversed\ude00\ud83dpair", "x".repeat(StorageKeys.MAX_KEY_BYTES + 1));
    for (String key : malformed) {
      assertThrows(IllegalArgumentException.class, () -> storage().stat(key), "stat of '" + key + "'");
      assertThrows(IllegalArgumentException.class, () -> storage().open(key), "open of '" + key + "'");
      assertThrows(IllegalArgumentException.class, () -> storage().open(key, 0, 1), "ranged open of '" + key + "'");
      if (fixture.has(StorageCapability.WRITE)) {
        Content c = Content.ofBytes(bytes(6, 3));
        assertThrows(IllegalArgumentException.class, () -> storage().putIfAbsent(key, c),
            "putIfAbsent of '" + key + "'");
        assertThrows(IllegalArgumentException.class, () -> storage().put(key, c), "put of '" + key + "'");
        assertThrows(IllegalArgumentException.class, () -> storage().delete(key), "delete of '" + key + "'");
      }
    }
    if (fixture.has(StorageCapability.LIST)) {
      assertEquals(List.of(), keys(""), "refused writes left objects behind");
    }
  }

  // ---------------------------------------------------------------- create-only writes

  @Test
  void putIfAbsentHasExactlyOneWinnerUnderContention() throws Exception {
    requires(StorageCapability.WRITE);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      for (int round = 0; round < fixture.raceRounds(); round++) {
        // A fresh prefix per round, so the writers also race to create its parents.
        String key = String.format("race/round-%03d/key", round);
        CountDownLatch start = new CountDownLatch(1);
        List<byte[]> contents = new ArrayList<>();
        List<Future<PutOutcome>> outcomes = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          byte[] content = bytes(1000L * round + w, 4096 + w);
          contents.add(content);
          outcomes.add(pool.submit(() -> {
            start.await();
            return storage().putIfAbsent(key, Content.ofBytes(content));
          }));
        }
        start.countDown();
        int winner = -1;
        for (int w = 0; w < WRITERS; w++) {
          PutOutcome outcome = await(outcomes.get(w), "writer " + w + " of round " + round);
          if (outcome == PutOutcome.CREATED) {
            if (winner >= 0) {
              fail("round " + round + ": writers " + winner + " and " + w + " were both told CREATED for " + key);
            }
            winner = w;
          }
        }
        if (winner < 0) {
          fail("round " + round + ": no writer was told CREATED for " + key);
        }
        assertArrayEquals(contents.get(winner), readAll(key),
            "round " + round + ": the object does not hold the bytes of the writer told CREATED (" + winner + ")");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void putIfAbsentHasExactlyOneWinnerAcrossProcesses() throws Exception {
    requires(StorageCapability.WRITE);
    assumeTrue(fixture.reachableFromOtherProcesses(),
        "the binding declares a store that lives in this JVM only (inProcessOnly), or gives no openedAs location");
    List<ChildJvm> children = startChildren(PROCESSES, 0);
    try {
      List<String> failures = new ArrayList<>();
      int rounds = fixture.processRaceRounds();
      for (int round = 0; round < rounds; round++) {
        String key = String.format("xrace/round-%03d/key", round);
        // Every child gets its command before any answer is read, so the creates overlap.
        for (int p = 0; p < children.size(); p++) {
          children.get(p).send("PUT_IF_ABSENT " + ContractChild.encode(key) + " " + (5000L * round + p) + " " + (2048 + p));
        }
        List<Integer> winners = new ArrayList<>();
        for (int p = 0; p < children.size(); p++) {
          String outcome = children.get(p).answer(WAIT, "racing for " + key);
          if (outcome.equals(PutOutcome.CREATED.name())) {
            winners.add(p);
          } else if (!outcome.equals(PutOutcome.ALREADY_EXISTS.name())) {
            throw children.get(p).failure("process " + p + " of round " + round + " failed to putIfAbsent " + key + ": " + outcome);
          }
        }
        if (winners.size() != 1) {
          failures.add("round " + round + ": processes " + winners + " were told CREATED for " + key);
        } else if (!java.util.Arrays.equals(bytes(5000L * round + winners.get(0), 2048 + winners.get(0)), readAll(key))) {
          failures.add("round " + round + ": " + key + " does not hold the bytes of process " + winners.get(0) + ", told CREATED");
        }
      }
      if (!failures.isEmpty()) {
        fail(failures.size() + " of " + rounds + " rounds of " + PROCESSES + " processes racing to create one key did not"
            + " have exactly one winner holding the object; putIfAbsent must be atomic across processes, not only"
            + " threads (a lock in the JVM does not reach other processes): " + String.join("; ", failures));
      }
    } finally {
      closeAll(children);
    }
  }

  @Test
  void putIfAbsentNeverReplacesDifferentContent() throws IOException {
    requires(StorageCapability.WRITE);
    byte[] first = bytes(7, 1000);
    assertEquals(PutOutcome.CREATED, storage().putIfAbsent("once/key", Content.ofBytes(first)));
    assertEquals(PutOutcome.ALREADY_EXISTS, storage().putIfAbsent("once/key", Content.ofBytes(bytes(8, 1000))));
    assertEquals(PutOutcome.ALREADY_EXISTS, storage().putIfAbsent("once/key", Content.ofBytes(bytes(9, 5))));
    assertEquals(PutOutcome.ALREADY_EXISTS, storage().putIfAbsent("once/key", Content.ofBytes(new byte[0])));
    assertArrayEquals(first, readAll("once/key"));
  }

  @Test
  void creatingIdenticalContentTwiceIsHarmless() throws IOException {
    requires(StorageCapability.WRITE);
    byte[] data = bytes(10, 2048);
    assertEquals(PutOutcome.CREATED, storage().putIfAbsent("twice/key", Content.ofBytes(data)));
    assertEquals(PutOutcome.ALREADY_EXISTS, storage().putIfAbsent("twice/key", Content.ofBytes(data.clone())));
    assertArrayEquals(data, readAll("twice/key"));
    assertEquals(data.length, storage().stat("twice/key").orElseThrow().size());
  }

  @Test
  void objectIsInvisibleUntilItsWriteCompletes() throws Exception {
    requires(StorageCapability.WRITE);
    CountDownLatch halfway = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GeneratedContent content = GeneratedContent.of(11, 2 << 20).withHookAt(1 << 20, () -> {
      halfway.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while the contract suite held the write open", e);
      }
    });
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<PutOutcome> write = pool.submit(() -> storage().putIfAbsent("slow/key", content));
      if (!halfway.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        fail("putIfAbsent did not read the first MiB of its content within " + WAIT);
      }
      try {
        assertEquals(Optional.empty(), storage().stat("slow/key"), "stat while the write is in progress");
        assertThrows(ObjectNotFoundException.class, () -> readAll("slow/key"), "open while the write is in progress");
        if (fixture.has(StorageCapability.LIST)) {
          assertEquals(List.of(), keys(""), "listing while the write is in progress");
        }
      } finally {
        release.countDown();
      }
      assertEquals(PutOutcome.CREATED, await(write, "the held write"));
      assertArrayEquals(content.toByteArray(), readAll("slow/key"));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void abortedPutIfAbsentLeavesNothingBehind() throws IOException {
    requires(StorageCapability.WRITE);
    GeneratedContent failing = GeneratedContent.of(12, 2 << 20).withHookAt(1 << 20, () -> {
      throw new IOException("the contract suite's content failed on purpose at 1 MiB");
    });
    assertThrows(IOException.class, () -> storage().putIfAbsent("aborted/key", failing),
        "putIfAbsent must report a content that fails midway as an IOException");
    assertNothingAt("aborted/key");
    byte[] data = bytes(13, 1000);
    assertEquals(PutOutcome.CREATED, storage().putIfAbsent("aborted/key", Content.ofBytes(data)),
        "a putIfAbsent after an aborted one must create the object");
    assertArrayEquals(data, readAll("aborted/key"));
  }

  @Test
  void contentShorterThanDeclaredIsRefusedAndLeavesNothing() throws IOException {
    requires(StorageCapability.WRITE);
    assertMislengthCreateRefused("short/key", GeneratedContent.of(14, 100_000), 60_000);
  }

  @Test
  void concurrentCreatesOfDistinctKeysAllSucceed() throws Exception {
    requires(StorageCapability.WRITE);
    int perWriter = 25;
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<PutOutcome>>> results = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        results.add(pool.submit(() -> {
          start.await();
          List<PutOutcome> outcomes = new ArrayList<>();
          for (int i = 0; i < perWriter; i++) {
            outcomes.add(storage().putIfAbsent("many/shared/w" + writer + "-" + i, Content.ofBytes(bytes(writer, i))));
            outcomes.add(storage().putIfAbsent(
                "many/own-" + writer + "/" + i + "/k", Content.ofBytes(bytes(writer, i))));
          }
          return outcomes;
        }));
      }
      start.countDown();
      for (int w = 0; w < WRITERS; w++) {
        List<PutOutcome> outcomes = await(results.get(w), "writer " + w);
        assertTrue(outcomes.stream().allMatch(o -> o == PutOutcome.CREATED),
            "writer " + w + " was not told CREATED for all of its distinct keys: " + outcomes);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int w = 0; w < WRITERS; w++) {
      for (int i = 0; i < perWriter; i++) {
        assertArrayEquals(bytes(w, i), readAll("many/shared/w" + w + "-" + i));
      }
    }
    if (fixture.has(StorageCapability.LIST)) {
      assertEquals(2 * WRITERS * perWriter, keys("many/").size());
    }
  }

  // ---------------------------------------------------------------- overwrite and delete

  @Test
  void putCreatesAndOverwrites() throws IOException {
    requires(StorageCapability.WRITE);
    byte[] v1 = bytes(15, 100);
    byte[] v2 = bytes(16, 5000);
    byte[] v3 = bytes(17, 3);
    storage().put("hint/HEAD", Content.ofBytes(v1));
    assertArrayEquals(v1, readAll("hint/HEAD"), "put creates a missing object");
    storage().put("hint/HEAD", Content.ofBytes(v2));
    assertArrayEquals(v2, readAll("hint/HEAD"), "put replaces with longer content");
    storage().put("hint/HEAD", Content.ofBytes(v3));
    assertArrayEquals(v3, readAll("hint/HEAD"), "put replaces with shorter content");
    assertEquals(3, storage().stat("hint/HEAD").orElseThrow().size());
    assertEquals(PutOutcome.ALREADY_EXISTS, storage().putIfAbsent("hint/HEAD", Content.ofBytes(v1)));
    if (fixture.has(StorageCapability.LIST)) {
      assertEquals(List.of("hint/HEAD"), keys(""));
    }
  }

  @Test
  void abortedPutLeavesThePreviousObject() throws IOException {
    requires(StorageCapability.WRITE);
    byte[] v1 = bytes(18, 4096);
    storage().put("hint/HEAD", Content.ofBytes(v1));
    GeneratedContent failing = GeneratedContent.of(19, 2 << 20).withHookAt(1 << 20, () -> {
      throw new IOException("the contract suite's content failed on purpose at 1 MiB");
    });
    assertThrows(IOException.class, () -> storage().put("hint/HEAD", failing));
    assertArrayEquals(v1, readAll("hint/HEAD"), "a failed put changed the object");
    if (fixture.has(StorageCapability.LIST)) {
      assertEquals(List.of("hint/HEAD"), keys(""), "a failed put left other objects behind");
    }
  }

  @Test
  void readersOfAnObjectBeingOverwrittenSeeTheOldOrTheNewBytesNeverAMix() throws Exception {
    requires(StorageCapability.WRITE);
    // Equal lengths, so a reader of a mix of the two sees the right size and only the bytes tell.
    byte[][] versions = {bytes(40, 256 * 1024), bytes(41, 256 * 1024), bytes(42, 100 * 1024)};
    String key = "overwrite/HEAD";
    storage().put(key, Content.ofBytes(versions[0]));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
    try {
      Future<Object> writer = pool.submit(() -> {
        try {
          for (int i = 1; i <= 30; i++) {
            storage().put(key, Content.ofBytes(versions[i % versions.length]));
          }
        } finally {
          writing.set(false);
        }
        return null;
      });
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          int reads = 0;
          while (writing.get() || reads == 0) {
            byte[] seen;
            try {
              seen = readAll(key);
            } catch (ObjectNotFoundException e) {
              throw new AssertionError("an object being overwritten with put disappeared for a reader: " + e, e);
            }
            reads++;
            if (java.util.Arrays.stream(versions).noneMatch(v -> java.util.Arrays.equals(v, seen))) {
              throw new AssertionError("a reader of " + key + " saw " + seen.length + " bytes that are none of the"
                  + " versions put (" + versions[0].length + ", " + versions[1].length + " or " + versions[2].length
                  + " bytes): put must replace an object whole, so readers see the old or the new bytes, never a mix");
            }
          }
          return reads;
        }));
      }
      await(writer, "the overwriting writer");
      for (Future<Integer> reader : readers) {
        await(reader, "a reader of the object being overwritten");
      }
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }
  }

  @Test
  void contentLongerThanDeclaredIsRefusedAndLeavesNothing() throws IOException {
    requires(StorageCapability.WRITE);
    assertMislengthCreateRefused("long/key", GeneratedContent.of(43, 60_000), 100_000);
  }

  /**
   * A putIfAbsent of {@code content} yielding {@code actual} bytes instead of its declared length
   * is refused and leaves nothing; the well-formed content is created afterwards.
   */
  private void assertMislengthCreateRefused(String key, GeneratedContent content, long actual) throws IOException {
    long declared = content.length();
    GeneratedContent mislength = actual < declared ? content.truncatedTo(actual) : content.longerThanDeclared(actual);
    assertThrows(IOException.class, () -> storage().putIfAbsent(key, mislength),
        "a content yielding " + actual + " bytes where it declared " + declared
            + " must be refused, not stored cut, padded or whole");
    assertNothingAt(key);
    assertEquals(PutOutcome.CREATED, storage().putIfAbsent(key, content));
    assertEquals(declared, storage().stat(key).orElseThrow().size());
  }

  @Test
  void putOfContentShorterOrLongerThanDeclaredLeavesThePreviousObject() throws IOException {
    requires(StorageCapability.WRITE);
    byte[] v1 = bytes(44, 5000);
    storage().put("mislength/HEAD", Content.ofBytes(v1));
    assertThrows(IOException.class,
        () -> storage().put("mislength/HEAD", GeneratedContent.of(45, 100_000).truncatedTo(60_000)),
        "a put yielding 60000 of its declared 100000 bytes must be refused");
    assertArrayEquals(v1, readAll("mislength/HEAD"), "a refused short put changed the object");
    assertThrows(IOException.class,
        () -> storage().put("mislength/HEAD", GeneratedContent.of(46, 60_000).longerThanDeclared(100_000)),
        "a put yielding 100000 bytes where it declared 60000 must be refused");
    assertArrayEquals(v1, readAll("mislength/HEAD"), "a refused long put changed the object");
    if (fixture.has(StorageCapability.LIST)) {
      assertEquals(List.of("mislength/HEAD"), keys(""), "refused puts left other objects behind");
    }
  }

  @Test
  void deleteRemovesTheObjectAndReportsWhetherItExisted() throws IOException {
    requires(StorageCapability.WRITE);
    given("gc/doomed", bytes(20, 10));
    given("gc/kept", bytes(21, 10));
    assertTrue(storage().delete("gc/doomed"), "deleting an existing object returns true");
    assertFalse(storage().delete("gc/doomed"), "deleting it again returns false");
    assertFalse(storage().delete("gc/never-was"), "deleting a missing key returns false");
    assertNothingAt("gc/doomed");
    assertArrayEquals(bytes(21, 10), readAll("gc/kept"), "deleting one object touched another");
    if (fixture.has(StorageCapability.LIST)) {
      assertEquals(List.of("gc/kept"), keys(""));
    }
    assertEquals(PutOutcome.CREATED, storage().putIfAbsent("gc/doomed", Content.ofBytes(bytes(22, 5))),
        "a deleted key can be created again");
  }

  // ---------------------------------------------------------------- listing

  @Test
  void listingFiltersByPrefix() throws IOException {
    requires(StorageCapability.LIST);
    List<String> all = List.of("p/ab/1", "p/abc", "p/abd/x/y", "p/ac", "pa", "q/ab");
    for (int i = 0; i < all.size(); i++) {
      given(all.get(i), bytes(23, i * 10));
    }
    assertEquals(List.of("p/ab/1", "p/abc", "p/abd/x/y"), keys("p/ab"), "a prefix that is not a whole segment");
    assertEquals(List.of("p/ab/1"), keys("p/ab/"), "a prefix ending with /");
    assertEquals(List.of("p/ab/1", "p/abc", "p/abd/x/y", "p/ac"), keys("p/"));
    assertEquals(List.of("p/ab/1", "p/abc", "p/abd/x/y", "p/ac", "pa"), keys("p"));
    assertEquals(all, keys(""), "the empty prefix lists everything");
    assertEquals(List.of(), keys("p/abe"));
    assertEquals(List.of(), keys("r"));
    assertEquals(List.of("p/abd/x/y"), keys("p/abd/x/y"), "a whole key is a prefix of itself");
    try (Stream<ObjectInfo> s = storage().list("p/a")) {
      List<ObjectInfo> infos = s.collect(Collectors.toList());
      for (ObjectInfo info : infos) {
        assertEquals(all.indexOf(info.key()) * 10L, info.size(), "size listed for " + info.key());
      }
    }
  }

  @Test
  void listingStartsAfterTheGivenKey() throws IOException {
    requires(StorageCapability.LIST);
    List<String> all = List.of("s/a", "s/b/1", "s/b/2", "s/c", "t");
    for (String key : all) {
      given(key, bytes(24, 1));
    }
    assertEquals(List.of("s/b/2", "s/c"), keys("s/", "s/b/1"), "after an existing key");
    assertEquals(List.of("s/b/1", "s/b/2", "s/c"), keys("s/", "s/a0"), "after a key that does not exist");
    assertEquals(List.of("s/b/1", "s/b/2", "s/c"), keys("s/", "s/b"), "after a prefix of later keys");
    assertEquals(List.of("s/a", "s/b/1", "s/b/2", "s/c"), keys("s/", "r"), "startAfter before the prefix");
    assertEquals(List.of(), keys("s/", "s/c"), "after the last key");
    assertEquals(List.of(), keys("s/", "u"), "startAfter after the prefix");
    assertEquals(List.of("t"), keys("", "s/z"), "empty prefix with startAfter");
  }

  @Test
  void listingPagesThroughMoreThanAThousandKeysInOrder() throws Exception {
    requires(StorageCapability.LIST);
    int count = 1_050;
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add(String.format("page/%05d", i));
    }
    List<String> others = List.of("pagd/x", "pagez");
    List<String> toSeed = new ArrayList<>(expected);
    toSeed.addAll(others);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Future<Object>> seeded = new ArrayList<>();
      for (String key : toSeed) {
        seeded.add(pool.submit(() -> {
          given(key, key.getBytes(StandardCharsets.UTF_8));
          return null;
        }));
      }
      for (Future<Object> f : seeded) {
        await(f, "seeding a listing key");
      }
    } finally {
      pool.shutdownNow();
    }
    List<ObjectInfo> listed;
    try (Stream<ObjectInfo> s = storage().list("page/")) {
      listed = s.collect(Collectors.toList());
    }
    assertEquals(expected, listed.stream().map(ObjectInfo::key).collect(Collectors.toList()),
        "listing of " + count + " keys is incomplete, out of order or includes other keys");
    for (ObjectInfo info : listed) {
      assertEquals(info.key().length(), info.size(), "size listed for " + info.key());
    }
    for (int after : new int[] {0, 499, 998, 999, 1000, 1001, count - 2}) {
      assertEquals(expected.subList(after + 1, count), keys("page/", expected.get(after)),
          "listing after " + expected.get(after));
    }
    assertEquals(expected.subList(500, count), keys("page/", "page/00499x"), "after a key between two keys");
    assertEquals(List.of(), keys("page/", expected.get(count - 1)));
    List<String> all = new ArrayList<>(toSeed);
    all.sort(StorageKeys.ORDER);
    assertEquals(all, keys(""));
  }

  @Test
  void listingFollowsUtf8ByteOrderNotUtf16Order() throws IOException {
    requires(StorageCapability.LIST);
    List<String> keys = unicodeKeys("order/");
    for (String key : keys) {
      given(key, bytes(25, 1));
    }
    List<String> listed = keys("order/");
    assertEquals(sorted(keys), listed);
    assertTrue(listed.indexOf("order/\uff5a") < listed.indexOf("order/\ud83d\ude00 smile"),
        "U+FF5A must be listed before U+1F600 (their UTF-8 bytes EF.. < F0..), though UTF-16 sorts them the other way");
    assertEquals(List.of("order/\ud83d\ude00 smile"), keys("order/", "order/\uff5a"),
        "startAfter compares by UTF-8 bytes too");
  }

  @Test
  void listingMatchesPrefixesLiterallyNotAsPatterns() throws IOException {
    requires(StorageCapability.LIST);
    // No two keys differ only in case (AMA never writes such keys), so a case-insensitive
    // filesystem can hold them all; no key holds a character Windows forbids in file names.
    List<String> all = sorted(List.of("lit/rnn_models/v1", "lit/rnnxmodels/v1", "lit/a_c", "lit/abc", "lit/a%c", "lit/a%%",
        "lit/a[b]c", "lit/a.c", "lit/a+c", "lit/a(b)c", "lit/a^c", "lit/a$c", "lit/a{2}c", "lit/MIXED-1", "lit/mixed-2",
        "lit/\u00e9t\u00e9", "lit/\u00e1bc", "lit/x"));
    for (String key : all) {
      given(key, bytes(47, 3));
    }
    Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
    expected.put("lit/rnn_models/", List.of("lit/rnn_models/v1"));
    expected.put("lit/rnn_", List.of("lit/rnn_models/v1"));
    expected.put("lit/a_", List.of("lit/a_c"));
    expected.put("lit/_", List.of());
    expected.put("lit/a%", List.of("lit/a%%", "lit/a%c"));
    expected.put("lit/%", List.of());
    expected.put("lit/a*", List.of());
    expected.put("lit/*", List.of());
    expected.put("lit/a?", List.of());
    expected.put("lit/a?c", List.of());
    expected.put("lit/a[", List.of("lit/a[b]c"));
    expected.put("lit/a[b]", List.of("lit/a[b]c"));
    expected.put("lit/a[a-c]", List.of());
    expected.put("lit/a.", List.of("lit/a.c"));
    expected.put("lit/.", List.of());
    expected.put("lit/.*", List.of());
    expected.put("lit/a+", List.of("lit/a+c"));
    expected.put("lit/a(", List.of("lit/a(b)c"));
    expected.put("lit/a^", List.of("lit/a^c"));
    expected.put("lit/^a", List.of());
    expected.put("lit/a$", List.of("lit/a$c"));
    expected.put("lit/a{", List.of("lit/a{2}c"));
    expected.put("lit/a|", List.of());
    expected.put("lit/mixed", List.of("lit/mixed-2"));
    expected.put("lit/MIXED", List.of("lit/MIXED-1"));
    expected.put("lit/Mixed", List.of());
    expected.put("lit/A", List.of());
    expected.put("lit/\u00e9", List.of("lit/\u00e9t\u00e9"));
    expected.put("lit/\u00c9", List.of());
    expected.put("lit/e", List.of());
    expected.put("lit/\u00e1", List.of("lit/\u00e1bc"));
    expected.put("lit/ab", List.of("lit/abc"));
    expected.forEach((prefix, keys) -> {
      try {
        assertEquals(keys, keys(prefix), "keys listed under the prefix '" + prefix + "': a prefix matches literally,"
            + " byte for byte, with no wildcards (_ % * ? [ .) and no case folding");
      } catch (IOException e) {
        throw new AssertionError("listing under the prefix '" + prefix + "' failed: " + e, e);
      }
    });
    assertEquals(List.of("lit/a_c", "lit/abc", "lit/a{2}c"), keys("lit/a", "lit/a^c"), "startAfter is literal too");
    assertEquals(all, keys("lit/"));
  }

  @Test
  void malformedPrefixesAreRefusedBeforeReachingTheStore() throws IOException {
    requires(StorageCapability.LIST);
    given("ok/a", bytes(48, 1));
    List<String> malformed = List.of("/abs", "a//b", "../escape", "a/../b", "a/./b", "./", "back\\slash", "nul\u0000char",
        "line\nbreak", ".ama-tmp/", "x/.ama-part", "lone\ud83dsurrogate", "x".repeat(StorageKeys.MAX_KEY_BYTES + 1));
    for (String prefix : malformed) {
      assertThrows(IllegalArgumentException.class, () -> storage().list(prefix).close(), "list of '" + prefix + "'");
      assertThrows(IllegalArgumentException.class, () -> storage().list(prefix, "").close(),
          "list of '" + prefix + "' after ''");
    }
    assertThrows(IllegalArgumentException.class, () -> storage().list(null).close(), "list of a null prefix");
    assertEquals(List.of("ok/a"), keys("ok/"), "a prefix ending with / is well-formed");
    assertEquals(List.of("ok/a"), keys("o"), "a prefix need not end at a segment");
  }

  @Test
  void listingReportsModificationTimesNearTheClock() throws IOException {
    requires(StorageCapability.LIST);
    requires(StorageCapability.MODIFICATION_TIMES);
    Instant before = Instant.now();
    given("mtime/a", bytes(49, 10));
    given("mtime/b/c", bytes(50, 20));
    Instant after = Instant.now();
    List<ObjectInfo> listed;
    try (Stream<ObjectInfo> s = storage().list("mtime/")) {
      listed = s.collect(Collectors.toList());
    }
    assertEquals(List.of("mtime/a", "mtime/b/c"), listed.stream().map(ObjectInfo::key).collect(Collectors.toList()));
    for (ObjectInfo info : listed) {
      assertNearTheClock(info.lastModified(), before, after, "listed for " + info.key());
      Instant stat = storage().stat(info.key()).orElseThrow().lastModified();
      assertNearTheClock(stat, before, after, "stat of " + info.key());
      assertTrue(Duration.between(stat, info.lastModified()).abs().compareTo(Duration.ofSeconds(2)) <= 0,
          "list reports " + info.lastModified() + " but stat " + stat + " for " + info.key()
              + "; both must report when the object was written");
    }
  }

  // ---------------------------------------------------------------- large objects

  @Test
  void largeObjectsStreamWithoutBeingHeldInMemory() throws IOException {
    streamsWithoutHoldingInMemory(fixture.largeObjectSize());
  }

  @Test
  @Tag("slow")
  void veryLargeObjectsStreamWithoutBeingHeldInMemory() throws Exception {
    long size = Math.max(320L << 20, fixture.largeObjectSize());
    if (!fixture.reachableFromOtherProcesses()) {
      streamsWithoutHoldingInMemory(size);
      return;
    }
    assumeFalse(fixture.holdsObjectsInHeap(), "the binding declares that this backend keeps objects in the heap");
    // In a JVM whose heap is far smaller than the object, a backend holding it fails this test
    // with an OutOfMemoryError there, instead of taking the test JVM down.
    long heapMib = size / 4 / (1 << 20) + 48;
    if (!fixture.has(StorageCapability.WRITE)) {
      fixture.seed("large/object.bin", GeneratedContent.of(LARGE_SEED, size));
    }
    List<ChildJvm> child = startChildren(1, heapMib);
    try {
      child.get(0).send("LARGE " + ContractChild.encode("large/object.bin") + " " + size);
      String outcome = child.get(0).answer(Duration.ofMinutes(5), "streaming a " + mib(size) + " object");
      if (!outcome.equals("OK")) {
        throw child.get(0).failure("streaming a " + mib(size) + " object through " + fixture.location().get()
            + " in a JVM with a heap of " + heapMib + " MiB failed: " + outcome
            + "; a backend must stream content in and out, not hold whole objects in memory");
      }
    } finally {
      closeAll(child);
    }
    assertEquals(size, storage().stat("large/object.bin").orElseThrow().size(), "size of the object the child wrote");
  }

  private void streamsWithoutHoldingInMemory(long size) throws IOException {
    assumeFalse(fixture.holdsObjectsInHeap(), "the binding declares that this backend keeps objects in the heap");
    try {
      streamsInBoundedHeap(size);
    } catch (OutOfMemoryError e) {
      throw new AssertionError("the heap ran out while writing or reading a " + mib(size) + " object with a heap of "
          + mib(Runtime.getRuntime().maxMemory()) + "; a backend must stream content, not hold it", e);
    }
  }

  private void streamsInBoundedHeap(long size) throws IOException {
    String key = "large/object.bin";
    long checkAt = size / 4 * 3;
    long allowed = size / 4;
    AtomicLong growthDuringWrite = new AtomicLong(-1);
    long baseline = heapAfterGc();
    GeneratedContent content = GeneratedContent.of(LARGE_SEED, size)
        .withHookAt(checkAt, () -> growthDuringWrite.accumulateAndGet(heapAfterGc() - baseline, Math::max));
    if (fixture.has(StorageCapability.WRITE)) {
      assertEquals(PutOutcome.CREATED, storage().putIfAbsent(key, content));
      assertTrue(growthDuringWrite.get() >= 0, "putIfAbsent never read three quarters of its content");
      assertTrue(growthDuringWrite.get() < allowed,
          "the heap grew by " + mib(growthDuringWrite.get()) + " while writing a " + mib(size)
              + " object; a backend must stream content, not hold it (allowed: " + mib(allowed) + ")");
    } else {
      fixture.seed(key, GeneratedContent.of(LARGE_SEED, size));
    }
    assertEquals(size, storage().stat(key).orElseThrow().size());

    MessageDigest expected = sha256();
    try (InputStream in = GeneratedContent.of(LARGE_SEED, size).openStream()) {
      digest(in, expected, Long.MAX_VALUE);
    }
    MessageDigest actual = sha256();
    long readBaseline = heapAfterGc();
    try (InputStream in = storage().open(key)) {
      digest(in, actual, checkAt);
      long growth = heapAfterGc() - readBaseline;
      assertTrue(growth < allowed,
          "the heap grew by " + mib(growth) + " while reading a " + mib(size)
              + " object; open must stream, not buffer (allowed: " + mib(allowed) + ")");
      digest(in, actual, Long.MAX_VALUE);
    }
    assertArrayEquals(expected.digest(), actual.digest(), "the large object read back differs from the one written");

    byte[] tail;
    try (InputStream in = GeneratedContent.of(LARGE_SEED, size).openStream(size - 1000, 1000)) {
      tail = in.readAllBytes();
    }
    assertArrayEquals(tail, readRange(key, size - 1000, 5000), "the last bytes of a large object");
  }

  // ---------------------------------------------------------------- the provider

  @Test
  void providerRefusesUnknownOptions() {
    assumeTrue(fixture.location().isPresent(), "the binding gives no openedAs location to open the store by");
    String location = fixture.location().get();
    String unknown = "tckNoSuchOption";
    Map<String, String> options = new java.util.HashMap<>(fixture.options());
    options.put(unknown, "1");
    IllegalArgumentException inMap = assertThrows(IllegalArgumentException.class,
        () -> Storages.open(location, options).close(),
        "opening " + location + " with the unknown option " + unknown + " must be refused, not ignored");
    assertTrue(String.valueOf(inMap.getMessage()).contains(unknown),
        "the refusal must name the unknown option " + unknown + ", but says: " + inMap.getMessage());
    String uri = Storages.toUri(location).toString();
    String withQuery = uri + (StorageLocation.of(Storages.toUri(location)).rawQuery() == null ? "?" : "&") + unknown + "=1";
    IllegalArgumentException inQuery = assertThrows(IllegalArgumentException.class,
        () -> Storages.open(withQuery, fixture.options()).close(),
        "opening " + withQuery + " must refuse the unknown option in its query, not ignore it");
    assertTrue(String.valueOf(inQuery.getMessage()).contains(unknown),
        "the refusal must name the unknown option " + unknown + ", but says: " + inQuery.getMessage());
  }

  // ---------------------------------------------------------------- what a backend does not offer

  @Test
  void readOnlyStorageRefusesPutIfAbsent() throws IOException {
    requiresNot(StorageCapability.WRITE);
    UnsupportedStorageOperationException e = assertThrows(UnsupportedStorageOperationException.class,
        () -> storage().putIfAbsent("ro/new", Content.ofBytes(bytes(27, 10))));
    assertClear(e, "ro/new");
    assertEquals(Optional.empty(), storage().stat("ro/new"));
  }

  @Test
  void readOnlyStorageRefusesPut() throws IOException {
    requiresNot(StorageCapability.WRITE);
    given("ro/existing", bytes(28, 10));
    UnsupportedStorageOperationException e = assertThrows(UnsupportedStorageOperationException.class,
        () -> storage().put("ro/existing", Content.ofBytes(bytes(29, 10))));
    assertClear(e, "ro/existing");
    assertArrayEquals(bytes(28, 10), readAll("ro/existing"));
  }

  @Test
  void readOnlyStorageRefusesDelete() throws IOException {
    requiresNot(StorageCapability.WRITE);
    given("ro/existing", bytes(30, 10));
    UnsupportedStorageOperationException e = assertThrows(UnsupportedStorageOperationException.class,
        () -> storage().delete("ro/existing"));
    assertClear(e, "ro/existing");
    assertArrayEquals(bytes(30, 10), readAll("ro/existing"));
  }

  @Test
  void storageWithoutListRefusesListing() throws IOException {
    requiresNot(StorageCapability.LIST);
    given("ls/a", bytes(31, 1));
    UnsupportedStorageOperationException e = assertThrows(UnsupportedStorageOperationException.class,
        () -> storage().list("ls/").close());
    assertClear(e, "ls/");
    assertThrows(UnsupportedStorageOperationException.class, () -> storage().list("", "ls/a").close());
  }

  // ---------------------------------------------------------------- helpers

  /** Skips the running test unless the backend declares {@code capability}. */
  protected final void requires(StorageCapability capability) {
    assumeTrue(fixture.has(capability), "the backend does not declare " + capability);
  }

  /** Skips the running test if the backend declares {@code capability}. */
  protected final void requiresNot(StorageCapability capability) {
    assumeFalse(fixture.has(capability), "the backend declares " + capability);
  }

  /** Makes an object exist, through the fixture's seeder or {@code putIfAbsent}. */
  protected final void given(String key, byte[] data) throws IOException {
    fixture.seed(key, Content.ofBytes(data));
  }

  /** Reads a whole object. */
  protected final byte[] readAll(String key) throws IOException {
    try (InputStream in = storage().open(key)) {
      return in.readAllBytes();
    }
  }

  /** Reads a range of an object. */
  protected final byte[] readRange(String key, long offset, long length) throws IOException {
    try (InputStream in = storage().open(key, offset, length)) {
      return in.readAllBytes();
    }
  }

  /** The keys listed under a prefix. */
  protected final List<String> keys(String prefix) throws IOException {
    return keys(prefix, "");
  }

  /** The keys listed under a prefix after a key. */
  protected final List<String> keys(String prefix, String startAfter) throws IOException {
    try (Stream<ObjectInfo> s = storage().list(prefix, startAfter)) {
      return s.map(ObjectInfo::key).collect(Collectors.toList());
    }
  }

  /** Deterministic pseudo-random bytes. */
  protected static byte[] bytes(long seed, int n) {
    return GeneratedContent.bytes(seed, n);
  }

  private void assertNothingAt(String key) throws IOException {
    assertEquals(Optional.empty(), storage().stat(key), "stat of " + key);
    assertThrows(ObjectNotFoundException.class, () -> readAll(key), "open of " + key);
    if (fixture.has(StorageCapability.LIST)) {
      assertEquals(List.of(), keys("").stream().filter(k -> k.equals(key)).collect(Collectors.toList()),
          "listing shows " + key);
    }
  }

  private void assertClear(UnsupportedStorageOperationException e, String subject) {
    String m = String.valueOf(e.getMessage());
    assertTrue(m.contains(storage().location()) && m.contains(subject),
        "the refusal must name the storage (" + storage().location() + ") and the key or prefix (" + subject
            + "), but says: " + m);
  }

  private static List<String> unicodeKeys(String prefix) {
    // Spaces, Latin letters with accents, BMP symbols and letters above the surrogate range
    // (U+FF5A), and a supplementary character (U+1F600), which UTF-16 order puts before U+FF5A.
    return List.of(prefix + "a", prefix + "a b", prefix + "b", prefix + "caf\u00e9.txt", prefix + "\u00e9t\u00e9",
        prefix + "\u20ac price", prefix + "\u65e5\u672c/\u8a9e", prefix + "\uff5a", prefix + "\ud83d\ude00 smile",
        prefix + "z");
  }

  private static List<String> sorted(List<String> keys) {
    List<String> s = new ArrayList<>(keys);
    s.sort(StorageKeys.ORDER);
    return s;
  }

  private static byte[] slice(byte[] data, int from, int length) {
    return java.util.Arrays.copyOfRange(data, from, from + length);
  }

  private List<ChildJvm> startChildren(int count, long maxHeapMib) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    List<ChildJvm> children = new ArrayList<>();
    try {
      // Started together: a JVM and a backend's client take a second or two each to start.
      List<Future<ChildJvm>> starting = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        starting.add(pool.submit(() -> ChildJvm.start(fixture, maxHeapMib)));
      }
      for (Future<ChildJvm> f : starting) {
        children.add(await(f, "starting a child process on " + fixture.location().orElse("?")));
      }
      return children;
    } catch (Exception | Error e) {
      closeAll(children);
      throw e;
    } finally {
      pool.shutdown();
    }
  }

  /** Whether a location's authority holds user information; an {@code @} in a path is no credential. */
  private static boolean carriesUserInfo(String location) {
    try {
      java.net.URI uri = new java.net.URI(location);
      return uri.getScheme() != null && StorageLocation.of(uri).hasUserInfo();
    } catch (java.net.URISyntaxException notAUri) {
      return false;
    }
  }

  private static void closeAll(List<ChildJvm> children) throws IOException {
    for (ChildJvm child : children) {
      child.close();
    }
  }

  private static void assertNearTheClock(Instant t, Instant before, Instant after, String what) {
    assertTrue(!t.isBefore(before.minus(MODIFICATION_TIME_TOLERANCE)) && !t.isAfter(after.plus(MODIFICATION_TIME_TOLERANCE)),
        "the modification time " + what + " is " + t + ", not within " + MODIFICATION_TIME_TOLERANCE.toSeconds()
            + " s of this machine's clock at the write (" + before + "); report when the object was written, or"
            + " leave MODIFICATION_TIMES out of capabilities() if the backend cannot tell");
  }

  private static <T> T await(Future<T> future, String what) throws Exception {
    try {
      return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new AssertionError(what + " failed: " + cause, cause);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError(what + " did not finish within " + WAIT, e);
    }
  }

  private static long heapAfterGc() {
    // Two collections: the first may only finalize or promote what the second frees.
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void digest(InputStream in, MessageDigest md, long limit) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long left = limit;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        break;
      }
      md.update(buf, 0, n);
      left -= n;
    }
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (double) (1 << 20));
  }
}
