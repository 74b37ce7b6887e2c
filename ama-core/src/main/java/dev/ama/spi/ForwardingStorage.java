package dev.ama.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A storage that passes every call to another. Extend it to add behaviour around a backend
 * (metrics, logging, fault injection in tests, a read-only view) by overriding only the calls that
 * change, as Guava's forwarding collections do.
 */
public abstract class ForwardingStorage implements Storage {
  private final Storage delegate;

  /** @param delegate the storage every call goes to */
  protected ForwardingStorage(Storage delegate) {
    this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
  }

  /** The storage calls are passed to. */
  protected final Storage delegate() {
    return delegate;
  }

  @Override
  public String location() {
    return delegate.location();
  }

  @Override
  public Set<StorageCapability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    return delegate.stat(key);
  }

  @Override
  public InputStream open(String key) throws IOException {
    return delegate.open(key);
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    return delegate.open(key, offset, length);
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
    return delegate.list(prefix, startAfter);
  }

  @Override
  public PutOutcome putIfAbsent(String key, Content content) throws IOException {
    return delegate.putIfAbsent(key, content);
  }

  @Override
  public void put(String key, Content content) throws IOException {
    delegate.put(key, content);
  }

  @Override
  public boolean delete(String key) throws IOException {
    return delegate.delete(key);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
