package dev.ama.storage.tck;

import dev.ama.spi.ForwardingStorage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.StorageKeys;
import dev.ama.spi.Storages;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.InMemoryStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The suite itself under test: bound to deliberately broken backends, the tests for the rule each
 * one breaks must fail. (The broken bindings are nested classes, which Surefire does not run on
 * its own.)
 */
class StorageContractCatchesBrokenBackendsTest {

  @Test
  void checkThenPutIsCaughtByTheRace() {
    assertFails(CheckThenPut.class, "putIfAbsentHasExactlyOneWinnerUnderContention");
  }

  @Test
  void bufferingWholeObjectsIsCaughtByTheHeapCheck() {
    assertFails(Buffering.class, "largeObjectsStreamWithoutBeingHeldInMemory");
  }

  @Test
  void publishingPartialWritesIsCaught() {
    assertFails(PublishesPartialWrites.class,
        "objectIsInvisibleUntilItsWriteCompletes", "abortedPutIfAbsentLeavesNothingBehind",
        "contentShorterThanDeclaredIsRefusedAndLeavesNothing");
  }

  @Test
  void utf16ListingOrderIsCaught() {
    assertFails(Utf16Order.class, "listingFollowsUtf8ByteOrderNotUtf16Order");
  }

  @Test
  void checkThenInsertUnderAJvmWideLockIsCaughtByTheRaceAcrossProcesses() {
    assertFails(JvmLockCheckThenInsert.class, "putIfAbsentHasExactlyOneWinnerAcrossProcesses");
    assertPasses(JvmLockCheckThenInsert.class, "putIfAbsentHasExactlyOneWinnerUnderContention");
  }

  @Test
  void sqlLikePrefixMatchingIsCaught() {
    assertFails(LikePrefix.class, "listingMatchesPrefixesLiterallyNotAsPatterns");
    assertPasses(LikePrefix.class, "listingFiltersByPrefix");
  }

  @Test
  void regexPrefixMatchingIsCaught() {
    assertFails(RegexPrefix.class, "listingMatchesPrefixesLiterallyNotAsPatterns");
    assertPasses(RegexPrefix.class, "listingFiltersByPrefix");
  }

  @Test
  void uncheckedListingPrefixesAreCaught() {
    assertFails(UncheckedPrefix.class, "malformedPrefixesAreRefusedBeforeReachingTheStore");
  }

  @Test
  void listingEveryModificationTimeAs1970IsCaught() {
    assertFails(EpochListingTimes.class, "listingReportsModificationTimesNearTheClock");
    assertPasses(EpochListingTimes.class, "statReportsSizeAndARecentModificationTime");
  }

  @Test
  void overwritingInPlaceIsCaughtByTheConcurrentReaders() {
    assertFails(OverwritesInPlace.class, "readersOfAnObjectBeingOverwrittenSeeTheOldOrTheNewBytesNeverAMix");
    assertPasses(OverwritesInPlace.class, "putCreatesAndOverwrites");
  }

  @Test
  void ignoringTheDeclaredLengthIsCaught() {
    assertFails(IgnoresDeclaredLength.class, "contentLongerThanDeclaredIsRefusedAndLeavesNothing",
        "contentShorterThanDeclaredIsRefusedAndLeavesNothing", "putOfContentShorterOrLongerThanDeclaredLeavesThePreviousObject");
  }

  @Test
  void aProviderIgnoringUnknownOptionsIsCaught() {
    assertFails(IgnoresUnknownOptions.class, "providerRefusesUnknownOptions");
  }

  @Test
  void bufferingAVeryLargeObjectFailsTheTestNotTheJvm() {
    Map<String, TestExecutionResult.Status> results =
        run(BufferingOpen.class, true, "veryLargeObjectsStreamWithoutBeingHeldInMemory");
    assertEquals(Map.of("veryLargeObjectsStreamWithoutBeingHeldInMemory", TestExecutionResult.Status.FAILED), results,
        "a backend buffering a 320 MiB object on open must fail the streaming check in its child JVM");
  }

  @Test
  void aBindingHandingOverTheWrongBackendFailsEveryTest() {
    Map<String, TestExecutionResult.Status> results = run(WrongBackend.class);
    assertTrue(results.size() > 20, "too few tests ran: " + results);
    assertTrue(results.values().stream().allMatch(s -> s == TestExecutionResult.Status.FAILED),
        "every test must fail when the fixture is not the expected backend: " + results);
  }

  @Test
  void aBindingDeclaringTheWrongCapabilitiesFailsEveryTest() {
    Map<String, TestExecutionResult.Status> results = run(WrongCapabilities.class);
    assertTrue(results.values().stream().allMatch(s -> s == TestExecutionResult.Status.FAILED),
        "every test must fail when the declared capabilities are not the storage's: " + results);
  }

  @Test
  void theUnbrokenBackendPassesEverything() {
    Map<String, TestExecutionResult.Status> results = run(Unbroken.class);
    assertTrue(results.values().stream().noneMatch(s -> s == TestExecutionResult.Status.FAILED),
        "the forwarding wrapper itself must not break anything: " + results);
  }

  private static void assertFails(Class<? extends StorageContract> binding, String... expectedFailures) {
    Map<String, TestExecutionResult.Status> results = run(binding, false, expectedFailures);
    for (String test : expectedFailures) {
      assertEquals(TestExecutionResult.Status.FAILED, results.get(test),
          binding.getSimpleName() + " must fail " + test + "; results: " + results);
    }
  }

  /** The breakage is exactly the one named: tests of other rules still pass. */
  private static void assertPasses(Class<? extends StorageContract> binding, String... tests) {
    Map<String, TestExecutionResult.Status> results = run(binding, false, tests);
    for (String test : tests) {
      assertEquals(TestExecutionResult.Status.SUCCESSFUL, results.get(test),
          binding.getSimpleName() + " breaks only one rule, so it must pass " + test + "; results: " + results);
    }
  }

  private static Map<String, TestExecutionResult.Status> run(Class<?> binding) {
    return run(binding, false);
  }

  /** Runs the named tests of a binding, or all of them; slow-tagged ones only if asked. */
  private static Map<String, TestExecutionResult.Status> run(Class<?> binding, boolean slow, String... tests) {
    LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request();
    if (tests.length == 0) {
      builder.selectors(selectClass(binding));
    } else {
      builder.selectors(Stream.of(tests).map(t -> selectMethod(binding, t)).collect(Collectors.toList()));
    }
    if (!slow) {
      builder.filters(TagFilter.excludeTags("slow"));
    }
    LauncherDiscoveryRequest request = builder.build();
    Map<String, TestExecutionResult.Status> results = new TreeMap<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (id.isTest() && id.getSource().orElse(null) instanceof MethodSource m) {
          results.put(m.getMethodName(), result.getStatus());
        }
      }
    });
    return results;
  }

  private static StorageFixture.Builder memoryFixture(Storage storage) {
    return StorageFixture.builder(storage)
        .expectType(storage.getClass())
        .expectLocationPrefix("mem:")
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
        .holdsObjectsInHeap()
        .inProcessOnly()
        .raceRounds(25);
  }

  /** putIfAbsent as "if absent then put", with a millisecond of latency between the two. */
  static class CheckThenPut extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return memoryFixture(new ForwardingStorage(new InMemoryStorage()) {
        @Override
        public PutOutcome putIfAbsent(String key, Content content) throws IOException {
          if (stat(key).isPresent()) {
            return PutOutcome.ALREADY_EXISTS;
          }
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
          put(key, content);
          return PutOutcome.CREATED;
        }
      }).build();
    }
  }

  /** Reads the whole content into memory before writing it to disk. */
  static class Buffering extends StorageContract {
    @TempDir Path tmp;

    @Override
    protected StorageFixture createFixture(String testId) {
      Storage storage = new ForwardingStorage(new FileSystemStorage(tmp.resolve(testId))) {
        @Override
        public PutOutcome putIfAbsent(String key, Content content) throws IOException {
          try (InputStream in = content.openStream()) {
            return delegate().putIfAbsent(key, Content.ofBytes(in.readAllBytes()));
          }
        }
      };
      return StorageFixture.builder(storage)
          .expectType(ForwardingStorage.class)
          .expectLocationPrefix("file:")
          .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
          .largeObjectSize(32L << 20)
          .inProcessOnly()
          .build();
    }
  }

  /** Publishes each chunk as it arrives, so readers see partial objects and failures leave them. */
  static class PublishesPartialWrites extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return memoryFixture(new ForwardingStorage(new InMemoryStorage()) {
        @Override
        public PutOutcome putIfAbsent(String key, Content content) throws IOException {
          if (stat(key).isPresent()) {
            return PutOutcome.ALREADY_EXISTS;
          }
          ByteArrayOutputStream sofar = new ByteArrayOutputStream();
          byte[] buf = new byte[64 * 1024];
          try (InputStream in = content.openStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
              sofar.write(buf, 0, n);
              delegate().put(key, Content.ofBytes(sofar.toByteArray()));
            }
          }
          return PutOutcome.CREATED;
        }
      }).build();
    }
  }

  /** Lists in String.compareTo (UTF-16) order instead of UTF-8 byte order. */
  static class Utf16Order extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return memoryFixture(new ForwardingStorage(new InMemoryStorage()) {
        @Override
        public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
          Set<String> keys = new TreeSet<>();
          try (Stream<ObjectInfo> all = delegate().list(prefix)) {
            all.forEach(i -> keys.add(i.key()));
          }
          return keys.stream().filter(k -> k.compareTo(startAfter) > 0)
              .map(k -> new ObjectInfo(k, 1, java.time.Instant.now()));
        }
      }).build();
    }
  }

  /**
   * A filesystem store opened by name through {@link BrokenStorageProvider}, so that child
   * processes get the same flaw as this JVM.
   */
  abstract static class ProvidedBinding extends StorageContract {
    @TempDir Path tmp;

    /** The scheme of the flaw, one of {@link BrokenStorageProvider}'s. */
    abstract String scheme();

    @Override
    protected StorageFixture createFixture(String testId) throws IOException {
      String location = scheme() + ":" + tmp.resolve(testId).toAbsolutePath().toUri().getRawPath();
      return StorageFixture.builder(Storages.open(location))
          .expectType(ForwardingStorage.class)
          .expectLocationPrefix("file:")
          .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
          .openedAs(location, Map.of())
          .build();
    }
  }

  /** putIfAbsent as check-then-insert under a JVM-wide lock: threads cannot race, processes can. */
  static class JvmLockCheckThenInsert extends ProvidedBinding {
    @Override
    String scheme() {
      return BrokenStorageProvider.JVM_LOCK;
    }
  }

  /** Accepts and ignores options it does not know. */
  static class IgnoresUnknownOptions extends ProvidedBinding {
    @Override
    String scheme() {
      return BrokenStorageProvider.LENIENT;
    }
  }

  /** Reads a whole object into memory on open. */
  static class BufferingOpen extends ProvidedBinding {
    @Override
    String scheme() {
      return BrokenStorageProvider.BUFFERING_OPEN;
    }
  }

  /** A listing over every key, keeping those that match a filter instead of the prefix. */
  private static StorageFixture filteredListing(java.util.function.BiPredicate<String, String> matches) {
    return memoryFixture(new ForwardingStorage(new InMemoryStorage()) {
      @Override
      public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
        List<ObjectInfo> all;
        try (Stream<ObjectInfo> s = delegate().list("")) {
          all = s.collect(Collectors.toList());
        }
        return all.stream().filter(i -> matches.test(prefix, i.key()))
            .filter(i -> StorageKeys.ORDER.compare(i.key(), startAfter) > 0);
      }
    }).build();
  }

  /** Matches the prefix as SQL's LIKE 'prefix%' does: _ and % are wildcards, ASCII case is ignored. */
  static class LikePrefix extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return filteredListing((prefix, key) -> {
        StringBuilder regex = new StringBuilder();
        for (char c : StorageKeys.checkPrefix(prefix).toCharArray()) {
          regex.append(c == '_' ? "." : c == '%' ? ".*" : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex + ".*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL).matcher(key).matches();
      });
    }
  }

  /** Uses the prefix as a regular expression. */
  static class RegexPrefix extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return filteredListing((prefix, key) -> Pattern.compile(StorageKeys.checkPrefix(prefix)).matcher(key).lookingAt());
    }
  }

  /** Lists by plain string prefix, without refusing malformed prefixes. */
  static class UncheckedPrefix extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return filteredListing((prefix, key) -> key.startsWith(prefix));
    }
  }

  /** Reports every listed object as written on 1 January 1970; stat is right. */
  static class EpochListingTimes extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return memoryFixture(new ForwardingStorage(new InMemoryStorage()) {
        @Override
        public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
          return delegate().list(prefix, startAfter).map(i -> new ObjectInfo(i.key(), i.size(), Instant.EPOCH));
        }
      }).build();
    }
  }

  /** put writes the new bytes over the old ones chunk by chunk, publishing each step. */
  static class OverwritesInPlace extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return memoryFixture(new ForwardingStorage(new InMemoryStorage()) {
        @Override
        public void put(String key, Content content) throws IOException {
          byte[] next;
          try (InputStream in = content.openStream()) {
            next = in.readAllBytes();
          }
          byte[] current;
          try (InputStream in = delegate().open(key)) {
            current = in.readAllBytes();
          } catch (ObjectNotFoundException e) {
            current = new byte[0];
          }
          byte[] state = java.util.Arrays.copyOf(current, next.length);
          for (int at = 0; at < next.length; at += 16 * 1024) {
            int n = Math.min(16 * 1024, next.length - at);
            System.arraycopy(next, at, state, at, n);
            delegate().put(key, Content.ofBytes(state.clone()));
          }
          if (next.length == 0) {
            delegate().put(key, Content.ofBytes(next));
          }
        }
      }).build();
    }
  }

  /** Stores whatever the content's stream yields, whatever length it declared. */
  static class IgnoresDeclaredLength extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return memoryFixture(new ForwardingStorage(new InMemoryStorage()) {
        @Override
        public PutOutcome putIfAbsent(String key, Content content) throws IOException {
          return delegate().putIfAbsent(key, asYielded(content));
        }

        @Override
        public void put(String key, Content content) throws IOException {
          delegate().put(key, asYielded(content));
        }

        private Content asYielded(Content content) throws IOException {
          try (InputStream in = content.openStream()) {
            return Content.ofBytes(in.readAllBytes());
          }
        }
      }).build();
    }
  }

  /** Expects the filesystem backend but hands over memory. */
  static class WrongBackend extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return StorageFixture.builder(new InMemoryStorage())
          .expectType(FileSystemStorage.class)
          .expectLocationPrefix("file:")
          .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
          .inProcessOnly()
          .build();
    }
  }

  /** Declares a read-only backend, but the storage is writable and listable. */
  static class WrongCapabilities extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      InMemoryStorage storage = new InMemoryStorage();
      return StorageFixture.builder(storage)
          .expectType(InMemoryStorage.class)
          .expectLocationPrefix("mem:")
          .capabilities()
          .seeder(storage::put)
          .build();
    }
  }

  /** The forwarding wrapper without changes: proves the failures above come from the breakage. */
  static class Unbroken extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return memoryFixture(new ForwardingStorage(new InMemoryStorage()) {}).build();
    }
  }
}
