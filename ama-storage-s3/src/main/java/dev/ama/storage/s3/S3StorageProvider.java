package dev.ama.storage.s3;

import dev.ama.spi.Storage;
import dev.ama.spi.StorageProvider;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code s3://bucket/prefix} store locations with {@link S3Storage}. Options (URI query
 * or options map) are the keys of {@link S3StorageProperties}. Creating the provider costs
 * nothing; the S3 client is built by {@link #open}.
 */
public final class S3StorageProvider implements StorageProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public S3StorageProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("s3");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    return S3Storage.open(S3StorageProperties.of(uri, options));
  }
}
