package dev.ama.testing;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** A storage that passes every call to another; tests override the calls they want to disturb. */
public abstract class ForwardingStorage implements Storage {
  private final Storage delegate;

  protected ForwardingStorage(Storage delegate) {
    this.delegate = delegate;
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
