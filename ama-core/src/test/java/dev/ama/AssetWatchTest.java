package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.StorageCapability;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code client.watch}: follows an alias, swaps only verified and checked versions, never silently stale. */
class AssetWatchTest {
  private static final Duration POLL = Duration.ofMillis(40);

  @TempDir Path tmp;
  private TestStorage storage;
  private AssetClient publisher;
  private AssetClient serving;
  private final Events events = new Events();

  @BeforeEach
  void setUp() {
    storage = new TestStorage(new FileSystemStorage(tmp.resolve("store")), EnumSet.allOf(StorageCapability.class));
    // The publisher writes through its own storage, so taking the serving side offline leaves it working.
    publisher = AssetClient.builder().newStoreFormat(1).storage(new FileSystemStorage(tmp.resolve("store"))).user("ci")
        .cache(tmp.resolve("publisher-cache")).build();
    serving = AssetClient.builder().newStoreFormat(1).storage(storage).user("server").cache(tmp.resolve("cache")).build();
  }

  @AfterEach
  void tearDown() {
    serving.close();
    publisher.close();
  }

  private AssetVersion publish(String content) throws IOException {
    Path f = Files.writeString(Files.createDirectories(tmp.resolve("files")).resolve("model.h5"), content);
    return publisher.newAsset("models").add(f).alias("prod").upload();
  }

  private WatchOptions options() {
    return WatchOptions.defaults().pollInterval(POLL).listener(events);
  }

  @Test
  void watchLoadsTheCurrentVersionBeforeReturning() throws IOException {
    AssetVersion v1 = publish("v1");
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      assertEquals(v1.version(), watch.current().version());
      assertEquals("v1", Files.readString(watch.current().file("model.h5")));
      assertFalse(watch.current().stale());
      assertSame(watch.current(), watch.current(), "current() hands out the one immutable object");
    }
  }

  @Test
  void aMovedAliasIsServedAfterAPollAndListenersHearOldAndNew() throws Exception {
    AssetVersion v1 = publish("v1");
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      AssetVersion v2 = publish("v2");
      String moved = events.next();
      assertEquals("moved " + v1.version().shortHex() + " -> " + v2.version().shortHex(), moved);
      assertEquals(v2.version(), watch.current().version());
      assertEquals("v2", Files.readString(watch.current().file("model.h5")));
    }
  }

  @Test
  void aVersionFailingTheCheckKeepsTheOldOneAndIsNotTriedAgainUntilTheAliasMoves() throws Exception {
    AssetVersion v1 = publish("good 1");
    AtomicInteger checks = new AtomicInteger();
    WatchOptions o = options().check(candidate -> {
      checks.incrementAndGet();
      if (Files.readString(candidate.file("model.h5")).startsWith("broken")) {
        throw new IllegalStateException("smoke test: the model does not load");
      }
    });
    try (AssetWatch watch = serving.watch("models", "prod", o)) {
      AssetVersion broken = publish("broken");
      assertEquals("failed " + broken.version().shortHex() + " CHECK_FAILED: smoke test: the model does not load", events.next());
      Thread.sleep(POLL.toMillis() * 5);
      assertEquals(v1.version(), watch.current().version(), "the old version keeps serving");
      assertEquals(1, checks.get(), "the refused version is not checked again at every poll");
      assertTrue(events.queue.isEmpty(), "nor reported again: " + events.queue);
      AssetVersion v3 = publish("good 3");
      assertEquals("moved " + v1.version().shortHex() + " -> " + v3.version().shortHex(), events.next());
      assertFalse(CachePins.heldHere(serving.cacheDir(), broken.version()), "the refused candidate's hold is released");
    }
  }

  @Test
  void aVersionWhoseBytesAreWrongInTheStoreIsNotSwappedIn() throws Exception {
    AssetVersion v1 = publish("v1");
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      // Damage the new version's blob in the store before the alias moves to it.
      Path f = Files.writeString(tmp.resolve("files/model.h5"), "v2");
      AssetVersion v2 = publisher.newAsset("models").add(f).upload();
      Path blob = tmp.resolve("store").resolve(Store.blobKey(v2.files().get(0).digest()));
      blob.toFile().setWritable(true);
      Files.writeString(blob, "v9");
      publisher.setAlias("models", "prod", v2, AliasExpectation.any());
      String failed = events.next();
      assertTrue(failed.startsWith("failed " + v2.version().shortHex() + " BAD_VERSION"), failed);
      assertEquals(v1.version(), watch.current().version());
      assertEquals("v1", Files.readString(watch.current().file("model.h5")));
    }
  }

  /**
   * Loads a version through the alias "candidate" into the serving cache, then damages its
   * model.h5 there without changing its size, and records the damaged file's stamp as verified.
   */
  private void damageUnseenByStamps(AssetVersion v, LoadOptions options) throws IOException {
    Path served;
    try (LoadedAsset early = serving.load("models", "candidate", options)) {
      served = early.file("model.h5");
    }
    served.toFile().setWritable(true);
    Files.writeString(served, "version X");
    Files.writeString(serving.cacheDir().resolve("versions").resolve(v.version().hex() + ".stamps"),
        HashCache.Stamp.of(served).line() + "\tmodel.h5\n");
  }

  @Test
  void aMoveHashesEveryFileOfTheNewFolderNotOnlyItsStamps() throws Exception {
    AssetVersion v1 = publish("v1");
    Path f = Files.writeString(tmp.resolve("files/model.h5"), "version 2");
    AssetVersion v2 = publisher.newAsset("models").add(f).alias("candidate").upload();
    // The cache already holds v2's folder, damaged in a way no stamp shows.
    damageUnseenByStamps(v2, LoadOptions.defaults());
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      assertEquals(v1.version(), watch.current().version());
      publisher.setAlias("models", "prod", v2, AliasExpectation.any());
      assertEquals("moved " + v1.version().shortHex() + " -> " + v2.version().shortHex(), events.next());
      assertEquals("version 2", Files.readString(watch.current().file("model.h5")), "the damage was found and fetched again");
    }
  }

  @Test
  void aMoveHashesAFileAPartialFolderAlreadyHeldNotOnlyTheFilesItFetches() throws Exception {
    AssetVersion v1 = publish("v1");
    Path dir = Files.createDirectories(tmp.resolve("files2"));
    AssetVersion v2 = publisher.newAsset("models").add(Files.writeString(dir.resolve("model.h5"), "version 2"),
        Files.writeString(dir.resolve("model.yml"), "layers: 2")).alias("candidate").upload();
    // A subset of v2 is in the cache, its one file damaged with its stamp recorded as verified.
    damageUnseenByStamps(v2, LoadOptions.defaults().files(FileSelection.include("model.h5")));
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      publisher.setAlias("models", "prod", v2, AliasExpectation.any());
      assertEquals("moved " + v1.version().shortHex() + " -> " + v2.version().shortHex(), events.next());
      assertEquals("version 2", Files.readString(watch.current().file("model.h5")));
      assertEquals("layers: 2", Files.readString(watch.current().file("model.yml")));
    }
  }

  @Test
  void anUnreachableStoreKeepsTheVersionServingAndTellsTheListenersWhenItLastResolved() throws Exception {
    AssetVersion v1 = publish("v1");
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      Instant resolved = watch.lastResolved().orElseThrow();
      Thread.sleep(POLL.toMillis() * 3);
      storage.offline = true;
      String unreachable = events.next();
      assertTrue(unreachable.startsWith("unreachable since "), unreachable);
      assertFalse(Instant.parse(unreachable.substring("unreachable since ".length())).isBefore(resolved));
      assertEquals(v1.version(), watch.current().version());
      storage.offline = false;
      AssetVersion v2 = publish("v2");
      String moved;
      do {
        moved = events.next();
      } while (moved.startsWith("unreachable"));
      assertEquals("moved " + v1.version().shortHex() + " -> " + v2.version().shortHex(), moved);
    }
  }

  @Test
  void aWatchStartedOfflineServesTheCachedVersionMarkedStaleUntilTheStoreConfirmsIt() throws Exception {
    AssetVersion v1 = publish("v1");
    serving.load("models", "prod").close();
    storage.offline = true;
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      assertTrue(watch.current().stale());
      assertEquals(v1.version(), watch.current().version());
      assertTrue(events.next().startsWith("unreachable since "), "the listener heard it at the start");
      storage.offline = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (watch.current().stale() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertFalse(watch.current().stale(), "confirmed by the store once it answers");
      assertEquals(v1.version(), watch.current().version());
    }
  }

  @Test
  void aStrictWatchRefusesToStartFromTheCache() throws IOException {
    publish("v1");
    serving.load("models", "prod").close();
    storage.offline = true;
    StoreException e = assertThrows(StoreException.class,
        () -> serving.watch("models", "prod", options().strict()));
    assertTrue(e.getMessage().contains("strict"), e.getMessage());
  }

  @Test
  void anAcquiredVersionStaysHeldAcrossSwapsUntilReleasedAndTheWatchKeepsThePreviousOne() throws Exception {
    AssetVersion v1 = publish("v1");
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      LoadedAsset acquired = watch.acquire();
      AssetVersion v2 = publish("v2");
      events.next();
      assertTrue(CachePins.heldHere(serving.cacheDir(), v1.version()));
      acquired.close();
      assertTrue(CachePins.heldHere(serving.cacheDir(), v1.version()), "the previous version stays held until the next swap");
      LoadedAsset held2 = watch.acquire();
      publish("v3");
      events.next();
      assertFalse(CachePins.heldHere(serving.cacheDir(), v1.version()), "two swaps later nobody holds v1");
      publish("v4");
      events.next();
      assertTrue(CachePins.heldHere(serving.cacheDir(), v2.version()), "v2 is acquired, two swaps later too");
      assertEquals("v2", Files.readString(held2.file("model.h5")));
      held2.close();
      assertFalse(CachePins.heldHere(serving.cacheDir(), v2.version()));
    }
  }

  @Test
  void anEvictionLeavesAloneWhatTheWatchOrAReaderHoldsAndRunsOnceReleased() throws Exception {
    AssetVersion v1 = publish("v1");
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      LoadedAsset reader = watch.acquire();
      AssetVersion v2 = publish("v2");
      events.next();
      publish("v3");
      events.next();
      AtomicInteger evictions = new AtomicInteger();
      assertFalse(CachePins.evict(serving.cacheDir(), v1.version(), evictions::incrementAndGet), "the reader holds v1");
      assertFalse(CachePins.evict(serving.cacheDir(), v2.version(), evictions::incrementAndGet), "the watch holds v2, the previous");
      assertEquals(0, evictions.get());
      assertEquals("v1", Files.readString(reader.file("model.h5")));
      reader.close();
      Path folder = reader.dir();
      assertTrue(CachePins.evict(serving.cacheDir(), v1.version(), () -> LocalCache.deleteTree(folder)));
      assertFalse(Files.exists(folder));
    }
  }

  @Test
  void aRemovedAliasKeepsTheVersionServingIsReportedAndIsNotServedByALaterOfflineStart() throws Exception {
    AssetVersion v1 = publish("v1");
    try (AssetWatch watch = serving.watch("models", "prod", options())) {
      publisher.removeAlias("models", "prod");
      String failed = events.next();
      assertTrue(failed.startsWith("resolution failed: alias models/prod was removed"), failed);
      assertEquals(v1.version(), watch.current().version(), "the current version keeps serving");
    }
    storage.offline = true;
    assertThrows(StoreException.class, () -> serving.load("models", "prod"),
        "this machine forgot what it served for the removed alias");
  }

  @Test
  void closingStopsPollingAndReleasesTheWatchsHolds() throws Exception {
    AssetVersion v1 = publish("v1");
    AssetWatch watch = serving.watch("models", "prod", options());
    watch.close();
    watch.close();
    assertFalse(CachePins.heldHere(serving.cacheDir(), v1.version()));
    publish("v2");
    Thread.sleep(POLL.toMillis() * 4);
    assertEquals(v1.version(), watch.current().version());
    assertTrue(events.queue.isEmpty(), events.queue.toString());
    assertThrows(IllegalStateException.class, watch::acquire);
  }

  @Test
  void aPollIntervalThatWouldPollInATightLoopIsRefused() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> WatchOptions.defaults().pollInterval(Duration.ofMillis(1)));
    assertTrue(e.getMessage().contains("at least 10 ms"), e.getMessage());
  }

  /** What the listeners heard, one line per event. */
  static final class Events implements AssetWatch.Listener {
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    @Override
    public void moved(LoadedAsset from, LoadedAsset to) {
      queue.add("moved " + from.version().shortHex() + " -> " + to.version().shortHex());
    }

    @Override
    public void moveFailed(AssetWatch.MoveFailure f) {
      queue.add("failed " + f.target().shortHex() + " " + f.reason() + ": " + f.cause().getMessage());
    }

    @Override
    public void storeUnreachable(StoreException cause, Optional<Instant> lastResolved) {
      queue.add("unreachable since " + lastResolved.map(Instant::toString).orElse("never"));
    }

    @Override
    public void resolutionFailed(AmaException cause) {
      queue.add("resolution failed: " + cause.getMessage());
    }

    String next() throws InterruptedException {
      String e = queue.poll(10, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no event within 10 s");
      }
      return e;
    }
  }
}
