package dev.ama.spi;

import dev.ama.storage.FileSystemStorageProvider;
import dev.ama.storage.InMemoryStorageProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Opens a {@link Storage} for a store location by finding the {@link StorageProvider} for its URI
 * scheme: ama-core's own schemes, {@code file} and {@code mem}, are served by its built-in
 * backends; then the providers the caller names, if any; then those registered through {@link
 * ServiceLoader}.
 *
 * <p>A location is a URI ({@code s3://bucket/prefix}, {@code gs://bucket/prefix}, {@code
 * file:///data/store}, {@code mem:name}) or a plain filesystem path ({@code /data/store}, {@code
 * ./store}, {@code C:\store}), which means the filesystem backend.
 */
public final class Storages {
  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]+):.*", Pattern.DOTALL);

  /** The backends of ama-core itself, which serve their schemes whatever else is on the class path. */
  private static final List<StorageProvider> BUILT_IN =
      List.of(new FileSystemStorageProvider(), new InMemoryStorageProvider());

  private Storages() {}

  /** Opens the storage for a location with no extra options. */
  public static Storage open(String location) throws IOException {
    return open(location, Map.of());
  }

  /**
   * Opens the storage for a location.
   *
   * @param location a store URI or a plain filesystem path
   * @param options backend options, such as an endpoint; keys are documented by each backend
   * @throws IllegalArgumentException if the location is malformed or no backend serves its
   *     scheme; the message lists the schemes that are available
   * @throws IOException if the backend cannot reach the storage
   */
  public static Storage open(String location, Map<String, String> options) throws IOException {
    return open(location, options, List.of());
  }

  /**
   * Opens the storage for a location, trying {@code providers} before the search of the class
   * path. An application that ships its backends names them here: the search reads every jar of
   * the class path, which for the {@code ama} command (some 140 jars) costs a tenth of a second,
   * and it finds nothing where {@code META-INF/services} files were dropped (some shaded jars).
   *
   * @param location a store URI or a plain filesystem path
   * @param options backend options, such as an endpoint; keys are documented by each backend
   * @param providers backends tried first, in order, after the built-in {@code file} and {@code
   *     mem} ones; those found through {@link ServiceLoader} follow
   * @throws IllegalArgumentException if the location is malformed or no backend serves its
   *     scheme; the message lists the schemes that are available
   * @throws IOException if the backend cannot reach the storage
   */
  public static Storage open(String location, Map<String, String> options, List<StorageProvider> providers)
      throws IOException {
    URI uri = toUri(location);
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    // The built-in backends, then the caller's, without a ServiceLoader lookup, which opens every
    // jar of the class path (for the ama command some 140, most of them cloud SDKs a local store
    // never needs): the larger part of a short command's start-up on a local store.
    TreeSet<String> known = new TreeSet<>();
    Optional<StorageProvider> provider = serving(BUILT_IN, scheme, known)
        .or(() -> serving(providers, scheme, known))
        .or(() -> serving(onClassPath(), scheme, known));
    if (provider.isPresent()) {
      return provider.get().open(uri, options);
    }
    throw new IllegalArgumentException(
        "no storage backend for '" + scheme + ":' in store location '" + location
            + "'. Available schemes: " + String.join(", ", known)
            + hintFor(scheme));
  }

  /** The first of {@code providers} that serves {@code scheme}; the schemes of the others go into {@code known}. */
  private static Optional<StorageProvider> serving(List<StorageProvider> providers, String scheme, Set<String> known) {
    for (StorageProvider provider : providers) {
      if (provider.schemes().contains(scheme)) {
        return Optional.of(provider);
      }
      known.addAll(provider.schemes());
    }
    return Optional.empty();
  }

  private static List<StorageProvider> onClassPath() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    List<StorageProvider> found = new ArrayList<>();
    ServiceLoader.load(StorageProvider.class, loader != null ? loader : Storages.class.getClassLoader())
        .forEach(found::add);
    return found;
  }

  /**
   * Turns a location into a URI: plain paths become {@code file:} URIs, relative ones resolved
   * against the current directory.
   */
  public static URI toUri(String location) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("store location is empty; give a path or a URI such as s3://bucket/prefix");
    }
    if (!SCHEME.matcher(location).matches()) {
      return Path.of(location).toAbsolutePath().normalize().toUri();
    }
    if (location.endsWith(":")) {
      throw new IllegalArgumentException("store location '" + location + "' has a scheme but nothing after it;"
          + " give for example mem:NAME, file:///path/to/store, s3://bucket/prefix or gs://bucket/prefix");
    }
    try {
      return new URI(location);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "store location '" + location + "' is not a valid URI: " + e.getMessage()
              + ". Percent-encode spaces and special characters, or give a plain path", e);
    }
  }

  private static String hintFor(String scheme) {
    return switch (scheme) {
      case "s3" -> ". Put ama-storage-s3 on the classpath to use S3 stores";
      case "gs" -> ". Put ama-storage-gcs on the classpath to use Google Cloud Storage stores";
      // The fix for any other scheme, where a user meets this first: the ama command.
      default -> ". A backend for another scheme is a jar registering a " + StorageProvider.class.getName()
          + "; put it on the class path (for the ama command: in the plugins/ folder of its"
          + " installation, in ~/.ama/plugins/ or on AMA_CLASSPATH)";
    };
  }
}
