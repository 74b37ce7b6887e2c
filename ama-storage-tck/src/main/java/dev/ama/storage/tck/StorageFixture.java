package dev.ama.storage.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.Storages;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.TestInfo;

/**
 * What a binding hands to {@link StorageContract} for one test: a fresh, empty storage on a prefix
 * no other test uses, and what that storage is expected to be (its class, where it lives, its
 * capabilities), so the suite can refuse to test the wrong thing.
 *
 * <p>Built with {@link #builder(Storage)}; every setter validates at once and may be called only
 * once. Closing the fixture closes the storage, then runs the {@link Builder#onClose cleanup}.
 */
@SuppressWarnings("try") // close() runs the binding's cleanup, which may throw anything
public final class StorageFixture implements AutoCloseable {
  /** The default number of create-only race rounds; see {@link Builder#raceRounds(int)}. */
  public static final int DEFAULT_RACE_ROUNDS = 25;

  /** The default size of the large object streamed by the heap check: 64 MiB. */
  public static final long DEFAULT_LARGE_OBJECT_SIZE = 64L << 20;

  /** System property overriding the race rounds of every binding, for a soak run. */
  public static final String RACE_ROUNDS_PROPERTY = "ama.tck.raceRounds";

  /**
   * The default number of rounds of the race between writers in separate processes; see {@link
   * Builder#processRaceRounds(int)}. A check-then-insert under a JVM-wide lock on a filesystem
   * store had two winners in 197 of 200 rounds; one on SQLite, whose window is narrower, in 5 of
   * 40. At that worst rate, 40 rounds miss it with a chance of 0.5% (docs/storage-spi.md, section 4).
   */
  public static final int DEFAULT_PROCESS_RACE_ROUNDS = 40;

  /** System property overriding the cross-process race rounds of every binding, for a soak run. */
  public static final String PROCESS_RACE_ROUNDS_PROPERTY = "ama.tck.processRaceRounds";

  private final Storage storage;
  private final Class<? extends Storage> expectedType;
  private final String expectedLocationPrefix;
  private final Set<StorageCapability> capabilities;
  private final Seeder seeder;
  private final int raceRounds;
  private final long largeObjectSize;
  private final boolean holdsObjectsInHeap;
  private final String location;
  private final Map<String, String> options;
  private final boolean inProcessOnly;
  private final int processRaceRounds;
  private final Cleanup cleanup;

  private StorageFixture(Builder b) {
    this.storage = b.storage;
    this.expectedType = b.expectedType;
    this.expectedLocationPrefix = b.expectedLocationPrefix;
    this.capabilities = b.capabilities;
    this.seeder = b.seeder;
    this.raceRounds = Integer.getInteger(RACE_ROUNDS_PROPERTY, b.raceRounds);
    this.largeObjectSize = b.largeObjectSize;
    this.holdsObjectsInHeap = b.holdsObjectsInHeap;
    this.location = b.location;
    this.options = b.options;
    this.inProcessOnly = b.inProcessOnly;
    this.processRaceRounds = Integer.getInteger(PROCESS_RACE_ROUNDS_PROPERTY, b.processRaceRounds);
    this.cleanup = b.cleanup;
  }

  /** Starts a fixture for the storage under test, which must be fresh and empty. */
  public static Builder builder(Storage storage) {
    return new Builder(storage);
  }

  /** The storage under test. */
  public Storage storage() {
    return storage;
  }

  /** The class the storage must be an instance of. */
  public Class<? extends Storage> expectedType() {
    return expectedType;
  }

  /** The storage's {@link Storage#location()} must start with this. */
  public String expectedLocationPrefix() {
    return expectedLocationPrefix;
  }

  /** The capabilities the binding declares; the storage must report exactly these. */
  public Set<StorageCapability> capabilities() {
    return EnumSet.copyOf(capabilities);
  }

  /** Whether the binding declares {@code capability}. */
  public boolean has(StorageCapability capability) {
    return capabilities.contains(capability);
  }

  /** How many rounds the create-only race runs. */
  public int raceRounds() {
    return raceRounds;
  }

  /** The size of the object the streaming heap check writes and reads. */
  public long largeObjectSize() {
    return largeObjectSize;
  }

  /** Whether the backend keeps its objects in the Java heap by design (memory, Jimfs). */
  public boolean holdsObjectsInHeap() {
    return holdsObjectsInHeap;
  }

  /**
   * The location that opens this same store through {@link Storages#open(String, Map)}, with
   * {@link #options()}; empty if the binding gave none ({@link Builder#openedAs}).
   */
  public Optional<String> location() {
    return Optional.ofNullable(location);
  }

  /** The options that, with {@link #location()}, open this same store. */
  public Map<String, String> options() {
    return options;
  }

  /**
   * Whether another process can open this same store from {@link #location()} and {@link
   * #options()}: false for stores that live in this JVM (memory, Jimfs).
   */
  public boolean reachableFromOtherProcesses() {
    return location != null && !inProcessOnly;
  }

  /** How many rounds the race between writers in separate processes runs. */
  public int processRaceRounds() {
    return processRaceRounds;
  }

  /**
   * Makes an object exist for a read test: through the binding's {@link Builder#seeder seeder} if
   * it has one, otherwise with {@link Storage#putIfAbsent}, which must create it.
   */
  public void seed(String key, Content content) throws IOException {
    if (seeder != null) {
      seeder.seed(key, content);
      return;
    }
    PutOutcome outcome = storage.putIfAbsent(key, content);
    if (outcome != PutOutcome.CREATED) {
      throw new IllegalStateException(
          "seeding " + key + " in " + storage.location() + " returned " + outcome
              + "; the storage handed to the contract suite must be fresh and empty for every test");
    }
  }

  /**
   * A name for one test's prefix: lower-case letters, digits and {@code -}, at most 60 characters,
   * unique to this run.
   */
  static String testId(TestInfo info) {
    String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
    String shortName = method.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
    return "tck-" + shortName.substring(0, Math.min(40, shortName.length())) + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Checks that the storage is the backend the binding meant (its class, location and
   * capabilities), so a misconfigured binding fails instead of silently testing something else.
   */
  void checkHandedOver(String binding) {
    assertInstanceOf(expectedType, storage,
        "the contract suite was handed " + storage + " but the binding expects a " + expectedType.getName()
            + "; fix createFixture in " + binding);
    assertTrue(storage.location().startsWith(expectedLocationPrefix),
        "the storage's location " + storage.location() + " does not start with the expected "
            + expectedLocationPrefix + "; the binding " + binding + " opened a different store than it meant to");
    EnumSet<StorageCapability> reported = EnumSet.noneOf(StorageCapability.class);
    reported.addAll(storage.capabilities());
    assertEquals(capabilities(), reported,
        "capabilities reported by " + storage.location() + " differ from those the binding " + binding + " declares");
  }

  /** Closes the storage, then runs the binding's cleanup, even if closing failed. */
  @Override
  public void close() throws Exception {
    try {
      storage.close();
    } finally {
      if (cleanup != null) {
        cleanup.run();
      }
    }
  }

  /** Writes an object behind a read-only backend's back, into what the backend reads from. */
  @FunctionalInterface
  public interface Seeder {
    /** Creates or replaces the object {@code key} with {@code content}. */
    void seed(String key, Content content) throws IOException;
  }

  /** Removes what a test left behind (a bucket prefix, a directory, a server). */
  @FunctionalInterface
  public interface Cleanup {
    /** Runs once, after the test and after the storage was closed. */
    void run() throws Exception;
  }

  /**
   * Builds a {@link StorageFixture}. Required: {@link #expectType}, {@link #expectLocationPrefix}
   * and {@link #capabilities}.
   */
  public static final class Builder {
    private final Storage storage;
    private Class<? extends Storage> expectedType;
    private String expectedLocationPrefix;
    private Set<StorageCapability> capabilities;
    private Seeder seeder;
    private int raceRounds = -1;
    private long largeObjectSize = -1;
    private boolean holdsObjectsInHeap;
    private String location;
    private Map<String, String> options = Map.of();
    private boolean inProcessOnly;
    private int processRaceRounds = -1;
    private Cleanup cleanup;

    private Builder(Storage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
    }

    /** The class the storage must be an instance of, so a misconfigured binding fails loudly. */
    public Builder expectType(Class<? extends Storage> type) {
      Objects.requireNonNull(type, "type");
      requireUnset(expectedType, "expectType");
      this.expectedType = type;
      return this;
    }

    /**
     * A prefix of the storage's {@link Storage#location()}, at least its scheme (such as {@code
     * "file:"} or {@code "s3://my-bucket/tck/"}), so a binding that opened the wrong store fails.
     */
    public Builder expectLocationPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      requireUnset(expectedLocationPrefix, "expectLocationPrefix");
      if (prefix.indexOf(':') < 1) {
        throw new IllegalArgumentException(
            "expected location prefix '" + prefix + "' has no URI scheme; give at least the scheme, such as \"file:\"");
      }
      this.expectedLocationPrefix = prefix;
      return this;
    }

    /**
     * The capabilities the backend declares; none for a read-only mirror that cannot list. The
     * suite checks that the storage reports exactly these, uses each one, and expects each
     * missing one to be refused.
     */
    public Builder capabilities(StorageCapability... declared) {
      requireUnset(capabilities, "capabilities");
      EnumSet<StorageCapability> set = EnumSet.noneOf(StorageCapability.class);
      for (StorageCapability c : declared) {
        set.add(Objects.requireNonNull(c, "capability"));
      }
      this.capabilities = set;
      return this;
    }

    /**
     * How read tests create their objects on a backend without {@link StorageCapability#WRITE}:
     * by writing into what the backend reads from (the folder a web server serves, the bucket a
     * CDN mirrors). Writable backends need none; the suite then seeds with {@code putIfAbsent}.
     */
    public Builder seeder(Seeder seeder) {
      Objects.requireNonNull(seeder, "seeder");
      requireUnset(this.seeder, "seeder");
      this.seeder = seeder;
      return this;
    }

    /** How many rounds the create-only race runs; default {@value #DEFAULT_RACE_ROUNDS}. */
    public Builder raceRounds(int rounds) {
      this.raceRounds = rounds(raceRounds, rounds, "raceRounds");
      return this;
    }

    /** The size of the object the streaming heap check writes and reads; default 64 MiB. */
    public Builder largeObjectSize(long bytes) {
      if (largeObjectSize != -1) {
        throw new IllegalStateException("largeObjectSize was already set");
      }
      if (bytes < (8L << 20)) {
        throw new IllegalArgumentException(
            "large object size must be at least 8 MiB for the heap check to mean anything, not " + bytes);
      }
      this.largeObjectSize = bytes;
      return this;
    }

    /**
     * Declares that objects end up in this JVM's heap by design, so the checks that large objects
     * are never held in memory are skipped: the backend itself keeps them there (memory, Jimfs),
     * or the test server behind it runs in the same JVM and buffers them (an in-process S3Proxy
     * with its transient provider). The heap check cannot tell client from server.
     */
    public Builder holdsObjectsInHeap() {
      this.holdsObjectsInHeap = true;
      return this;
    }

    /**
     * How the same store is opened by name, as a user and a child process do: {@code
     * Storages.open(location, options)}. The suite opens it so in other JVMs (racing writers in
     * separate processes, a streaming check under a small heap) and checks that the provider
     * refuses an option it does not know. Give credentials here, not in the location: they reach
     * child processes through a pipe, never their command line.
     *
     * @param location a store URI or plain path, such as the one the storage was opened from
     * @param options the options it was opened with ({@code Map.of()} if none)
     */
    public Builder openedAs(String location, Map<String, String> options) {
      Objects.requireNonNull(location, "location");
      Objects.requireNonNull(options, "options");
      requireUnset(this.location, "openedAs");
      if (location.isBlank()) {
        throw new IllegalArgumentException("openedAs needs the location the store is opened from, not a blank one");
      }
      this.location = location;
      this.options = Map.copyOf(options);
      return this;
    }

    /**
     * Declares that the store lives in this JVM (memory, Jimfs), so no other process can open it
     * and the tests racing writers in separate processes are skipped.
     */
    public Builder inProcessOnly() {
      this.inProcessOnly = true;
      return this;
    }

    /**
     * How many rounds the race between writers in separate processes runs; default {@value
     * #DEFAULT_PROCESS_RACE_ROUNDS}. Each round costs one create per process, not a process start.
     */
    public Builder processRaceRounds(int rounds) {
      this.processRaceRounds = rounds(processRaceRounds, rounds, "processRaceRounds");
      return this;
    }

    /** Runs after the test, after the storage was closed: delete the prefix, stop a server. */
    public Builder onClose(Cleanup cleanup) {
      Objects.requireNonNull(cleanup, "cleanup");
      requireUnset(this.cleanup, "onClose");
      this.cleanup = cleanup;
      return this;
    }

    /**
     * Builds the fixture.
     *
     * @throws IllegalStateException if the expected type, location prefix or capabilities are
     *     missing, a read-only backend has no seeder, or a writable one neither {@link #openedAs}
     *     nor {@link #inProcessOnly}
     */
    public StorageFixture build() {
      if (expectedType == null || expectedLocationPrefix == null || capabilities == null) {
        throw new IllegalStateException(
            "a storage fixture needs expectType(..), expectLocationPrefix(..) and capabilities(..) so the"
                + " suite can check it tests the backend you meant; missing:"
                + (expectedType == null ? " expectType" : "")
                + (expectedLocationPrefix == null ? " expectLocationPrefix" : "")
                + (capabilities == null ? " capabilities" : ""));
      }
      if (!capabilities.contains(StorageCapability.WRITE) && seeder == null) {
        throw new IllegalStateException(
            "the fixture for read-only " + storage.location() + " needs a seeder(..) that writes test"
                + " objects into what the backend reads from");
      }
      if (capabilities.contains(StorageCapability.WRITE) && location == null && !inProcessOnly) {
        throw new IllegalStateException(
            "the fixture for writable " + storage.location() + " must say how another process opens the same store,"
                + " so the suite can race writers in separate JVMs: openedAs(location, options), or inProcessOnly()"
                + " for a store that lives in this JVM (memory, Jimfs)");
      }
      if (raceRounds == -1) {
        raceRounds = DEFAULT_RACE_ROUNDS;
      }
      if (processRaceRounds == -1) {
        processRaceRounds = DEFAULT_PROCESS_RACE_ROUNDS;
      }
      if (largeObjectSize == -1) {
        largeObjectSize = DEFAULT_LARGE_OBJECT_SIZE;
      }
      return new StorageFixture(this);
    }

    private static int rounds(int current, int rounds, String name) {
      if (current != -1) {
        throw new IllegalStateException(name + " was already set");
      }
      if (rounds < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, not " + rounds);
      }
      return rounds;
    }

    private static void requireUnset(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }
  }
}
