package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.ProbeReport.Property;
import dev.ama.ProbeReport.Verdict;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AssetClient#probe}: a sound store, and backends each broken in one way the probe must name. */
class StoreProbeTest {
  private static final ProbeOptions QUICK = ProbeOptions.DEFAULTS.withRounds(10);

  @TempDir Path tmp;

  private AssetClient client(String location) {
    return AssetClient.builder().newStoreFormat(1).store(location).user("alice").cache(tmp.resolve("cache")).build();
  }

  private AssetClient client(Storage storage) {
    return AssetClient.builder().newStoreFormat(1).storage(storage).user("alice").cache(tmp.resolve("cache")).build();
  }

  private static List<String> keys(Path store) throws IOException {
    try (Stream<Path> s = Files.walk(store)) {
      return s.filter(Files::isRegularFile).map(p -> store.relativize(p).toString().replace('\\', '/')).sorted().toList();
    }
  }

  @Test
  void aFileSystemStoreHoldsEveryPropertyAndKeepsOnlyTheRecordedVerdict() throws IOException {
    Path store = tmp.resolve("store");
    try (AssetClient client = client(store.toString())) {
      ProbeReport r = client.probe(QUICK);
      for (ProbeReport.Check c : r.checks()) {
        assertEquals(Verdict.OK, c.verdict(), c.toString());
      }
      assertEquals(Property.values().length, r.checks().size());
      assertTrue(r.ok());
      assertTrue(r.recorded());
      assertEquals(List.of(), r.leftovers());
      assertTrue(r.clockSkew().orElseThrow().abs().compareTo(Duration.ofSeconds(5)) < 0, r.clockSkew().toString());
      assertEquals(List.of("ama-store.json", ProbeReport.KEY), keys(store));

      ProbeReport last = client.lastProbe().orElseThrow();
      assertEquals(r.checks(), last.checks());
      assertEquals(r.at(), last.at());
      assertEquals("alice", last.by());
      // The recorded verdict is no object of verify or gc.
      assertTrue(client.verify(VerifyOptions.DEFAULTS).ok());
      assertEquals(List.of(), client.verify(VerifyOptions.DEFAULTS).leftovers().unrecognized());
      assertEquals(0, client.gc(GcOptions.dryRun()).collectable().bytes());
    }
  }

  @Test
  void aStoreNeverProbedHasNoRecordedVerdict() throws IOException {
    try (AssetClient client = client(tmp.resolve("store").toString())) {
      client.newAsset("rnn_models").add(Files.writeString(tmp.resolve("model.yml"), "layers: 3\n")).upload();
      assertEquals(Optional.empty(), client.lastProbe());
    }
  }

  @Test
  void checkThenInsertIsReportedAsNotAtomicBetweenThreadsAndBetweenProcesses() {
    try (AssetClient client = client(ProbeBrokenStorageProvider.RACY + ":" + tmp.resolve("store"))) {
      ProbeReport r = client.probe(QUICK);
      for (Property p : List.of(Property.CREATE_ONLY_THREADS, Property.CREATE_ONLY_PROCESSES)) {
        ProbeReport.Check c = r.check(p);
        assertEquals(Verdict.BROKEN, c.verdict(), c.toString());
        assertTrue(c.detail().contains("winners"), c.detail());
        assertTrue(c.meaning().startsWith("create-only not atomic: two uploads of the same alias entry could both win"),
            c.meaning());
      }
      assertFalse(r.ok());
      assertEquals(Verdict.OK, r.check(Property.LISTING_ORDER).verdict());
      assertEquals(Verdict.BROKEN, client.lastProbe().orElseThrow().check(Property.CREATE_ONLY_THREADS).verdict());
    }
  }

  /** Lists in the order a given comparator puts keys in, as hand-written backends get wrong. */
  private static final class Ordered extends ForwardingStorage {
    private final Comparator<String> order;

    Ordered(Storage delegate, Comparator<String> order) {
      super(delegate);
      this.order = order;
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
      try (Stream<ObjectInfo> s = super.list(prefix, startAfter)) {
        return s.sorted(Comparator.comparing(ObjectInfo::key, order)).toList().stream();
      }
    }
  }

  @Test
  void aListingInFolderWalkOrderIsReportedOutOfOrderAndFailsTheProbe() {
    // A sorted walk of folders lists b/c right after b, before b-c, though '/' sorts after '-'.
    Comparator<String> walk = Comparator.comparing(k -> k.replace('/', '\0'));
    try (AssetClient client = client(new Ordered(new FileSystemStorage(tmp.resolve("store")), walk))) {
      ProbeReport r = client.probe(QUICK.withProcesses(0));
      ProbeReport.Check order = r.check(Property.LISTING_ORDER);
      assertEquals(Verdict.BROKEN, order.verdict(), order.toString());
      assertTrue(order.detail().contains("/order/b/c' before '"), order.detail());
      assertTrue(order.detail().endsWith("/order/b-c', against the order of their UTF-8 bytes"), order.detail());
      assertTrue(order.meaning().startsWith("listings resumed after a key (startAfter, pages) skip or repeat objects"),
          order.meaning());
      assertEquals(Verdict.OK, r.check(Property.LISTING_COMPLETE).verdict());
      assertEquals(Verdict.OK, r.check(Property.CREATE_ONLY_THREADS).verdict());
      assertEquals(Verdict.UNKNOWN, r.check(Property.CREATE_ONLY_PROCESSES).verdict());
      assertFalse(r.ok());
    }
  }

  @Test
  void aListingInUtf16OrderBreaksOnlyKeysBeyondAsciiWhichAmaNeverWrites() {
    try (AssetClient client = client(new Ordered(new FileSystemStorage(tmp.resolve("store")), Comparator.naturalOrder()))) {
      ProbeReport r = client.probe(QUICK.withProcesses(0));
      assertEquals(Verdict.OK, r.check(Property.LISTING_ORDER).verdict());
      ProbeReport.Check unicode = r.check(Property.LISTING_ORDER_UNICODE);
      assertEquals(Verdict.BROKEN, unicode.verdict(), unicode.toString());
      assertTrue(unicode.meaning().startsWith("no harm to AMA, whose keys are ASCII"), unicode.meaning());
      assertTrue(r.ok());
    }
  }

  /** Reports every time ten minutes ahead, as a server with a wrong clock does. */
  private static final class Skewed extends ForwardingStorage {
    Skewed(Storage delegate) {
      super(delegate);
    }

    private static ObjectInfo shift(ObjectInfo o) {
      return new ObjectInfo(o.key(), o.size(), o.lastModified().plus(Duration.ofMinutes(10)));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
      return super.stat(key).map(Skewed::shift);
    }

    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
      return super.list(prefix, startAfter).map(Skewed::shift);
    }
  }

  @Test
  void aSkewedClockIsReportedWithItsSizeButIsNoReasonToFail() {
    Path store = tmp.resolve("store");
    try (AssetClient client = client(new Skewed(new FileSystemStorage(store)))) {
      ProbeReport r = client.probe(QUICK.withProcesses(1).childStore(store.toString(), java.util.Map.of()));
      ProbeReport.Check clock = r.check(Property.CLOCK);
      assertEquals(Verdict.BROKEN, clock.verdict(), clock.toString());
      assertTrue(clock.detail().startsWith("the store's times are 10 min ahead of this machine's clock"), clock.detail());
      Duration skew = r.clockSkew().orElseThrow();
      assertTrue(skew.minus(Duration.ofMinutes(10)).abs().compareTo(Duration.ofSeconds(5)) < 0, skew.toString());
      assertEquals(Verdict.OK, r.check(Property.CREATE_ONLY_PROCESSES).verdict());
      assertTrue(r.ok(), "gc measures ages by the store's own clock, so a skew alone breaks nothing AMA needs");
      assertEquals(Verdict.OK, client.probe(QUICK.withProcesses(0).withClockTolerance(Duration.ofMinutes(15)))
          .check(Property.CLOCK).verdict());
    }
  }

  /** A writer's bucket policy: it may create objects but not delete them. */
  private static final class NoDelete extends ForwardingStorage {
    NoDelete(Storage delegate) {
      super(delegate);
    }

    @Override
    public boolean delete(String key) throws IOException {
      throw new IOException("Access Denied (403) deleting " + key);
    }
  }

  @Test
  void aClientThatMayNotDeleteIsToldSoAndWhatTheProbeLeft() {
    try (AssetClient client = client(new NoDelete(new FileSystemStorage(tmp.resolve("store"))))) {
      ProbeReport r = client.probe(QUICK.withProcesses(0).withRounds(2));
      ProbeReport.Check delete = r.check(Property.DELETE);
      assertEquals(Verdict.BROKEN, delete.verdict());
      assertTrue(delete.meaning().startsWith("this client cannot run gc --yes"), delete.meaning());
      assertEquals(Verdict.OK, r.check(Property.UPLOAD).verdict());
      assertEquals(Verdict.OK, r.check(Property.ALIAS_MOVES).verdict());
      assertTrue(r.ok(), "permissions say what this client may do, not whether the store is sound");
      assertTrue(r.leftovers().stream().anyMatch(k -> k.startsWith("blobs/sha256/")), r.leftovers().toString());
      assertTrue(r.leftovers().stream().anyMatch(k -> k.startsWith("aliases/.probe-")), r.leftovers().toString());
      // What it left damages nothing: a stray blob and an unrecognized key, no problem.
      VerifyReport v = client.verify(VerifyOptions.DEFAULTS);
      assertTrue(v.ok(), v.problems().toString());
    }
  }

  /** A serving machine's bucket policy: it may read and list, every write is refused. */
  private static final class ReadOnlyPolicy extends ForwardingStorage {
    ReadOnlyPolicy(Storage delegate) {
      super(delegate);
    }

    @Override
    public dev.ama.spi.PutOutcome putIfAbsent(String key, dev.ama.spi.Content content) throws IOException {
      throw new IOException("Access Denied (403) writing " + key);
    }

    @Override
    public void put(String key, dev.ama.spi.Content content) throws IOException {
      throw new IOException("Access Denied (403) writing " + key);
    }
  }

  @Test
  void aClientThatMayOnlyReadIsToldWhatItMayDoAndWhatCouldNotBeTried() throws IOException {
    Path store = tmp.resolve("store");
    try (AssetClient writer = client(store.toString())) {
      writer.newAsset("rnn_models").add(Files.writeString(tmp.resolve("model.yml"), "layers: 3\n")).upload();
    }
    try (AssetClient client = client(new ReadOnlyPolicy(new FileSystemStorage(store)))) {
      ProbeReport r = client.probe(QUICK.withProcesses(0).withRounds(2));
      assertEquals(Verdict.OK, r.check(Property.READ).verdict());
      assertEquals(Verdict.BROKEN, r.check(Property.UPLOAD).verdict());
      assertTrue(r.check(Property.UPLOAD).detail().contains("Access Denied (403)"), r.check(Property.UPLOAD).detail());
      assertEquals(Verdict.BROKEN, r.check(Property.ALIAS_MOVES).verdict());
      for (Property p : List.of(Property.CREATE_ONLY_THREADS, Property.READ_AFTER_WRITE, Property.LISTING_ORDER,
          Property.CLOCK, Property.DELETE)) {
        assertEquals(Verdict.UNKNOWN, r.check(p).verdict(), r.check(p).toString());
      }
      assertTrue(r.ok(), "nothing AMA needs was found broken; what could not be tried is unknown");
      assertFalse(r.recorded());
      assertEquals(Optional.empty(), client.lastProbe());
    }
  }

  @Test
  void optionsOutOfRangeAreRefusedNamingTheOptionAndItsRange() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> ProbeOptions.DEFAULTS.withRounds(0));
    assertEquals("the probe's rounds must be between 1 and 10000, not 0", e.getMessage());
    assertThrows(InvalidInputException.class, () -> ProbeOptions.DEFAULTS.withProcesses(9));
    assertThrows(InvalidInputException.class, () -> ProbeOptions.DEFAULTS.withClockTolerance(Duration.ZERO));
  }
}
