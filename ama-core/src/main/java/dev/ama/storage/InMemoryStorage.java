package dev.ama.storage;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageKeys;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * A storage held in this JVM's memory: for tests, examples and short-lived pipelines. Instances
 * opened through {@code mem:NAME} with the same name share their contents for the life of the JVM.
 */
public final class InMemoryStorage implements Storage {
  private static final Map<String, InMemoryStorage> NAMED = new ConcurrentHashMap<>();

  private final String location;
  private final Clock clock;
  private final ConcurrentNavigableMap<String, Entry> objects =
      new ConcurrentSkipListMap<>(StorageKeys.ORDER);

  private record Entry(byte[] bytes, Instant modified) {}

  /** A new, empty, unnamed storage. */
  public InMemoryStorage() {
    this("mem:", Clock.systemUTC());
  }

  private InMemoryStorage(String location, Clock clock) {
    this.location = location;
    this.clock = clock;
  }

  /** The storage shared by everyone in this JVM who names it {@code mem:name}. */
  public static InMemoryStorage named(String name) {
    return NAMED.computeIfAbsent(name, n -> new InMemoryStorage("mem:" + n, Clock.systemUTC()));
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Optional<ObjectInfo> stat(String key) {
    StorageKeys.check(key);
    Entry e = objects.get(key);
    return e == null ? Optional.empty() : Optional.of(new ObjectInfo(key, e.bytes.length, e.modified));
  }

  @Override
  public InputStream open(String key) throws IOException {
    return new ByteArrayInputStream(entry(key).bytes);
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    StorageKeys.checkRange(offset, length);
    byte[] bytes = entry(key).bytes;
    if (offset > bytes.length) {
      throw new EOFException("offset " + offset + " is beyond the end of " + key + " (" + bytes.length + " bytes) in " + location);
    }
    return new ByteArrayInputStream(bytes, (int) offset, (int) Math.min(length, bytes.length - offset));
  }

  private Entry entry(String key) throws ObjectNotFoundException {
    StorageKeys.check(key);
    Entry e = objects.get(key);
    if (e == null) {
      throw new ObjectNotFoundException(location, key);
    }
    return e;
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) {
    StorageKeys.checkPrefix(prefix);
    ConcurrentNavigableMap<String, Entry> tail =
        StorageKeys.ORDER.compare(startAfter, prefix) >= 0
            ? objects.tailMap(startAfter, false)
            : objects.tailMap(prefix, true);
    return tail.entrySet().stream()
        .takeWhile(e -> e.getKey().startsWith(prefix))
        .map(e -> new ObjectInfo(e.getKey(), e.getValue().bytes.length, e.getValue().modified));
  }

  @Override
  public PutOutcome putIfAbsent(String key, Content content) throws IOException {
    StorageKeys.check(key);
    if (objects.containsKey(key)) {
      return PutOutcome.ALREADY_EXISTS;
    }
    Entry e = read(content);
    return objects.putIfAbsent(key, e) == null ? PutOutcome.CREATED : PutOutcome.ALREADY_EXISTS;
  }

  @Override
  public void put(String key, Content content) throws IOException {
    StorageKeys.check(key);
    objects.put(key, read(content));
  }

  private Entry read(Content content) throws IOException {
    if (content.length() > Integer.MAX_VALUE - 8) {
      throw new IOException("in-memory storage " + location + " cannot hold objects over 2 GiB");
    }
    byte[] bytes;
    try (InputStream in = content.openStream()) {
      bytes = in.readAllBytes();
    }
    if (bytes.length != content.length()) {
      throw new IOException("content yielded " + bytes.length + " bytes but declared " + content.length());
    }
    return new Entry(bytes, clock.instant());
  }

  @Override
  public boolean delete(String key) {
    StorageKeys.check(key);
    return objects.remove(key) != null;
  }

  @Override
  public String toString() {
    return "InMemoryStorage[" + location + "]";
  }
}
