package dev.ama;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.UnsupportedStorageOperationException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A real storage seen through a switch: it can be taken offline (every call fails as an
 * unreachable server would) or restricted to fewer capabilities, like a read-only mirror.
 */
final class TestStorage implements Storage {
  private final Storage delegate;
  private final Set<StorageCapability> capabilities;
  volatile boolean offline;

  TestStorage(Storage delegate, Set<StorageCapability> capabilities) {
    this.delegate = delegate;
    this.capabilities = capabilities.isEmpty() ? EnumSet.noneOf(StorageCapability.class) : EnumSet.copyOf(capabilities);
  }

  static TestStorage readOnlyWithoutListing(Storage delegate) {
    return new TestStorage(delegate, Set.of());
  }

  @Override
  public String location() {
    return delegate.location();
  }

  @Override
  public Set<StorageCapability> capabilities() {
    return capabilities;
  }

  private void reachable() throws IOException {
    if (offline) {
      throw new ConnectException("connection refused (test storage is offline)");
    }
  }

  private void allowed(StorageCapability c) throws IOException {
    reachable();
    if (!capabilities.contains(c)) {
      throw new UnsupportedStorageOperationException(location() + " does not support " + c);
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    reachable();
    return delegate.stat(key);
  }

  @Override
  public InputStream open(String key) throws IOException {
    reachable();
    return delegate.open(key);
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
    allowed(StorageCapability.LIST);
    return delegate.list(prefix, startAfter);
  }

  @Override
  public PutOutcome putIfAbsent(String key, Content content) throws IOException {
    allowed(StorageCapability.WRITE);
    return delegate.putIfAbsent(key, content);
  }

  @Override
  public void put(String key, Content content) throws IOException {
    allowed(StorageCapability.WRITE);
    delegate.put(key, content);
  }

  @Override
  public boolean delete(String key) throws IOException {
    allowed(StorageCapability.WRITE);
    return delegate.delete(key);
  }
}
