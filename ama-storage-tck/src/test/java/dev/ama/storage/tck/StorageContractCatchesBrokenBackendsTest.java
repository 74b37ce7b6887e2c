package dev.ama.storage.tck;

import dev.ama.spi.ForwardingStorage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.storage.FileSystemStorage;
import dev.ama.storage.InMemoryStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
    Map<String, TestExecutionResult.Status> results = run(binding);
    for (String test : expectedFailures) {
      assertEquals(TestExecutionResult.Status.FAILED, results.get(test),
          binding.getSimpleName() + " must fail " + test + "; results: " + results);
    }
  }

  private static Map<String, TestExecutionResult.Status> run(Class<?> binding) {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(binding))
        .filters(TagFilter.excludeTags("slow"))
        .build();
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
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST)
        .holdsObjectsInHeap()
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
          .capabilities(StorageCapability.WRITE, StorageCapability.LIST)
          .largeObjectSize(32L << 20)
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

  /** Expects the filesystem backend but hands over memory. */
  static class WrongBackend extends StorageContract {
    @Override
    protected StorageFixture createFixture(String testId) {
      return StorageFixture.builder(new InMemoryStorage())
          .expectType(FileSystemStorage.class)
          .expectLocationPrefix("file:")
          .capabilities(StorageCapability.WRITE, StorageCapability.LIST)
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
