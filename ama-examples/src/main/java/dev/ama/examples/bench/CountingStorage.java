package dev.ama.examples.bench;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * A storage that counts the requests made of another, by operation and top-level prefix
 * ({@code open manifests/}, {@code list index/}, …), to show how much of a store a query reads.
 */
public final class CountingStorage extends ForwardingStorage {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  /** Counts the requests made of {@code delegate}. */
  public CountingStorage(Storage delegate) {
    super(delegate);
  }

  private void count(String op, String key) {
    int slash = key.indexOf('/');
    counts.computeIfAbsent(op + " " + (slash < 0 ? key : key.substring(0, slash + 1)), k -> new LongAdder()).increment();
  }

  /** The requests counted so far, such as {@code "open manifests/" → 12}. */
  public Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** How many requests of one kind were counted, such as {@code count("open manifests/")}. */
  public long count(String what) {
    LongAdder a = counts.get(what);
    return a == null ? 0 : a.sum();
  }

  /** Forgets the counts. */
  public void reset() {
    counts.clear();
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    count("stat", key);
    return delegate().stat(key);
  }

  @Override
  public InputStream open(String key) throws IOException {
    count("open", key);
    return delegate().open(key);
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    count("open", key);
    return delegate().open(key, offset, length);
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
    count("list", prefix);
    return delegate().list(prefix, startAfter);
  }

  @Override
  public PutOutcome putIfAbsent(String key, Content content) throws IOException {
    count("create", key);
    return delegate().putIfAbsent(key, content);
  }

  @Override
  public void put(String key, Content content) throws IOException {
    count("put", key);
    delegate().put(key, content);
  }

  @Override
  public boolean delete(String key) throws IOException {
    count("delete", key);
    return delegate().delete(key);
  }
}
