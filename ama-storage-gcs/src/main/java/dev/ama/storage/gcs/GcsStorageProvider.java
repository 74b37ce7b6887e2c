package dev.ama.storage.gcs;

import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.StorageRetryStrategy;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCredentialsException;
import dev.ama.spi.StorageKeys;
import dev.ama.spi.StorageProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Serves {@code gs://bucket/prefix} store URIs with {@link GcsStorage}. Options are listed in
 * {@link GcsProperties}; they may be given as the URI's query, such as {@code
 * gs://models/ama?host=http://127.0.0.1:4443}.
 *
 * <p>Credentials: the {@link GcsProperties#CREDENTIALS_FILE} option, else none when {@link
 * GcsProperties#ANONYMOUS} is set or the endpoint is an emulator on the loopback interface, else
 * Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's application-default
 * login, or the metadata server on Google Cloud).
 */
public final class GcsStorageProvider implements StorageProvider {
  // Google's naming rules: 3-63 characters per dot-separated part, 222 in all.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");
  private static final String LOCAL_PROJECT = "ama-local";

  /** Creates the provider; no client is made until a store is opened. */
  public GcsStorageProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("gs");
  }

  @Override
  public Storage open(URI uri, Map<String, String> options) throws IOException {
    return open(uri, options, System.getenv());
  }

  /** {@link #open(URI, Map)} with an explicit environment, so tests need not change the real one. */
  GcsStorage open(URI uri, Map<String, String> options, Map<String, String> environment) throws IOException {
    String bucket = uri.getRawAuthority();
    String shown = "gs://" + (bucket == null ? "" : bucket) + (uri.getRawPath() == null ? "" : uri.getRawPath());
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException(
          "GCS store location " + uri + " has no bucket; use gs://BUCKET or gs://BUCKET/PREFIX");
    }
    checkBucketName(bucket, shown);
    String prefix = prefixOf(uri, shown);
    String location = "gs://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    GcsProperties properties = GcsProperties.of(location, uri, options, environment);
    com.google.cloud.storage.Storage client = client(properties, shown);
    GcsStorage storage = new GcsStorage(client, true, bucket, prefix, properties);
    if (properties.checkBucket()) {
      try {
        storage.checkBucketExists();
      } catch (IOException | RuntimeException e) {
        storage.close();
        throw e;
      }
    }
    return storage;
  }

  static void checkBucketName(String bucket, String shown) {
    if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw new IllegalArgumentException(
          "'" + bucket + "' in GCS store location " + shown + " is not a valid bucket name: use 3 to 63 lower-case "
              + "letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
    }
  }

  private static String prefixOf(URI uri, String shown) {
    String path = uri.getPath() == null ? "" : uri.getPath();
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!path.isEmpty()) {
      try {
        StorageKeys.check(path);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("GCS store location " + shown + " has an invalid prefix: " + e.getMessage(), e);
      }
    }
    return path;
  }

  private static com.google.cloud.storage.Storage client(GcsProperties p, String shown) throws IOException {
    StorageOptions.Builder builder =
        StorageOptions.http()
            .setHost(p.endpoint())
            .setCredentials(credentials(p, shown))
            // The default policy retries only requests it can prove idempotent. Every write AMA
            // makes is safe to repeat: a create-only put carries ifGenerationMatch=0 anyway, an
            // overwrite only replaces a hint with the same bytes, a delete only runs in GC.
            .setStorageRetryStrategy(StorageRetryStrategy.getUniformStorageRetryStrategy())
            .setRetrySettings(
                ServiceOptions.getDefaultRetrySettings().toBuilder()
                    .setMaxAttempts(p.maxAttempts())
                    .setInitialRetryDelayDuration(p.retryInitialDelay())
                    .setMaxRetryDelayDuration(p.retryMaxDelay())
                    .setRetryDelayMultiplier(2.0)
                    .setTotalTimeoutDuration(p.retryTotalTimeout())
                    .build());
    if (p.project().isPresent()) {
      builder.setProjectId(p.project().get());
    } else if (p.host().isPresent()) {
      // Without a project the client probes gcloud and the metadata server; an emulator does not care.
      builder.setProjectId(LOCAL_PROJECT);
    }
    return builder.build().getService();
  }

  private static Credentials credentials(GcsProperties p, String shown) throws IOException {
    if (p.credentialsFile().isPresent()) {
      Path file = p.credentialsFile().get();
      try (InputStream in = Files.newInputStream(file)) {
        return GoogleCredentials.fromStream(in);
      } catch (NoSuchFileException e) {
        throw new IOException(
            "cannot open GCS store " + shown + ": credentials file " + file + " (store option "
                + GcsProperties.CREDENTIALS_FILE + ") does not exist. Fix the path or remove the option to use Application Default Credentials",
            e);
      } catch (IOException e) {
        throw new IOException(
            "cannot open GCS store " + shown + ": credentials file " + file + " is not a valid Google credentials JSON file ("
                + e.getMessage() + "). Download a service account key or run 'gcloud auth application-default login'",
            e);
      }
    }
    if (p.anonymous() || p.hostIsLoopback()) {
      return NoCredentials.getInstance();
    }
    try {
      return GoogleCredentials.getApplicationDefault();
    } catch (IOException e) {
      // The library's message is a paragraph with a link; it stays in the cause.
      throw new StorageCredentialsException(
          "no Google Cloud credentials for " + shown + ": run 'gcloud auth application-default login', set"
              + " GOOGLE_APPLICATION_CREDENTIALS to a key file or give " + GcsProperties.CREDENTIALS_FILE + "=KEY.json; "
              + GcsProperties.ANONYMOUS + "=true for a public bucket",
          e);
    }
  }
}
