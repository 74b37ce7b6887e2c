package dev.ama.spi;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Creates {@link Storage} instances for store URIs of some schemes. Register an implementation in
 * {@code META-INF/services/dev.ama.spi.StorageProvider}; it needs a public no-argument
 * constructor. {@link Storages#open(String)} picks the provider by the URI's scheme.
 */
public interface StorageProvider {

  /** The URI schemes served, lower case, such as {@code s3} or {@code gs}. */
  Set<String> schemes();

  /**
   * Opens a storage for a URI of one of {@link #schemes()}. Query parameters of the URI and
   * {@code options} (from the caller or a config file; the URI wins) configure the backend; each
   * backend documents its keys.
   *
   * @throws IllegalArgumentException if the URI or an option is malformed, naming it and the fix
   * @throws IOException if the storage cannot be reached
   */
  Storage open(URI uri, Map<String, String> options) throws IOException;
}
