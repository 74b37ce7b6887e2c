package dev.ama.examples.http;

import dev.ama.spi.Storage;
import dev.ama.spi.StorageProvider;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code http://} and {@code https://} store locations with {@link HttpMirrorStorage};
 * registered in {@code META-INF/services/dev.ama.spi.StorageProvider}.
 */
public final class HttpMirrorStorageProvider implements StorageProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("http", "https");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) {
    if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || !options.isEmpty()) {
      throw new IllegalArgumentException("HTTP mirror location " + uri
          + (options.isEmpty() ? "" : " with options " + options.keySet())
          + " is not supported; give the mirror's store folder as http(s)://host[:port]/path/"
          + " with no query or options");
    }
    return new HttpMirrorStorage(uri);
  }
}
