package dev.ama.storage.gcs;

import dev.ama.spi.StorageOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The options of a {@code gs://bucket/prefix} store: each key, what it means and its default.
 *
 * <p>Options come from the store URI's query ({@code gs://models/ama?maxAttempts=3}) or from the
 * options map given to {@link dev.ama.spi.Storages#open(String, java.util.Map)}; the URI wins. An
 * unknown key is an error, so a misspelt option never silently falls back to its default.
 *
 * <p>The URI's query, the keys and the values follow the rules of {@link StorageOptions}, shared by
 * every backend: sizes are a number of bytes or a number with a unit, all binary ({@code 8MB},
 * {@code 8MiB}, {@code 8m} and {@code 8388608} are the same); durations need a unit ({@code
 * 500ms}, {@code 30s}, {@code 2m}); switches are {@code true} or {@code false}. The keys that
 * took raw bytes or milliseconds were renamed (for example {@code chunkSizeBytes} is now {@link
 * #CHUNK_SIZE}); the old names are refused with the new name and the value written the new way.
 *
 * <p>Instances are immutable.
 */
public final class GcsProperties {

  /**
   * The GCS endpoint, such as {@code http://127.0.0.1:4443} for a local emulator. Default: the
   * {@value #EMULATOR_HOST_ENV} environment variable if set, else {@value #DEFAULT_HOST}. A host
   * without a scheme gets {@code http://}.
   */
  public static final String HOST = "host";

  /** The public GCS endpoint. */
  public static final String DEFAULT_HOST = "https://storage.googleapis.com";

  /**
   * The environment variable Google's client libraries read for an emulator endpoint; used when no
   * {@link #HOST} option is given.
   */
  public static final String EMULATOR_HOST_ENV = "STORAGE_EMULATOR_HOST";

  /**
   * The Google Cloud project to bill requests to. Default: none, so the client library resolves it
   * from the credentials or the environment ({@code GOOGLE_CLOUD_PROJECT}); object reads and writes
   * do not need one.
   */
  public static final String PROJECT = "project";

  /**
   * A credentials JSON file (a service account key or an {@code authorized_user} file). Default:
   * none, so Application Default Credentials are used, except for a {@link #HOST} on the loopback
   * interface, which gets no credentials (a local emulator needs none).
   */
  public static final String CREDENTIALS_FILE = "credentialsFile";

  /**
   * {@code true} sends requests without credentials, for public buckets and emulators on other
   * hosts. Default: {@value #DEFAULT_ANONYMOUS}.
   */
  public static final String ANONYMOUS = "anonymous";

  /** Default of {@link #ANONYMOUS}. */
  public static final boolean DEFAULT_ANONYMOUS = false;

  /**
   * {@code true} checks when the store is opened that the bucket exists, so a misspelt bucket is
   * reported at once rather than as "object not found" later. Credentials that may not read bucket
   * metadata ({@code storage.buckets.get}) skip the check silently. Default: {@value
   * #DEFAULT_CHECK_BUCKET}.
   */
  public static final String CHECK_BUCKET = "checkBucket";

  /** Default of {@link #CHECK_BUCKET}. */
  public static final boolean DEFAULT_CHECK_BUCKET = true;

  /**
   * Objects up to this size are written in one request, held in memory while it is sent; larger
   * ones use a resumable upload. From 0 (every object resumable) to 2 GiB less 8 bytes. Default:
   * {@value #DEFAULT_DIRECT_UPLOAD_MAX} bytes (8 MiB).
   */
  public static final String DIRECT_UPLOAD_MAX = "directUploadMax";

  /** Default of {@link #DIRECT_UPLOAD_MAX}. */
  public static final long DEFAULT_DIRECT_UPLOAD_MAX = 8L << 20;

  /**
   * The size of each request of a resumable upload, and so the memory one upload holds; a
   * multiple of 256 KiB, as GCS requires, up to 1 GiB. Larger chunks mean fewer requests; GCS
   * recommends at least 8 MiB. Default: {@value #DEFAULT_CHUNK_SIZE} bytes (8 MiB).
   */
  public static final String CHUNK_SIZE = "chunkSize";

  /** Default of {@link #CHUNK_SIZE}. */
  public static final long DEFAULT_CHUNK_SIZE = 8L << 20;

  /** GCS's unit for resumable upload chunks. */
  static final int CHUNK_UNIT = 256 << 10;

  /**
   * How many objects one listing request asks for, 1 to 1000 (GCS returns at most 1000). Default:
   * {@value #DEFAULT_LIST_PAGE_SIZE}.
   */
  public static final String LIST_PAGE_SIZE = "listPageSize";

  /** Default of {@link #LIST_PAGE_SIZE}. */
  public static final int DEFAULT_LIST_PAGE_SIZE = 1000;

  /**
   * How many times a request is tried in all when GCS answers with a transient error (429, 5xx) or
   * the connection fails, 1 to 100; {@code 1} disables retries. Create-only writes are retried
   * safely because their precondition makes them idempotent. Default: {@value
   * #DEFAULT_MAX_ATTEMPTS}.
   */
  public static final String MAX_ATTEMPTS = "maxAttempts";

  /** Default of {@link #MAX_ATTEMPTS}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 6;

  /**
   * The wait before the first retry, from 0 to 1h; it doubles for each further retry (with
   * jitter) up to {@link #RETRY_MAX_DELAY}. Default: 1s ({@link #DEFAULT_RETRY_INITIAL_DELAY}).
   */
  public static final String RETRY_INITIAL_DELAY = "retryInitialDelay";

  /** Default of {@link #RETRY_INITIAL_DELAY}. */
  public static final Duration DEFAULT_RETRY_INITIAL_DELAY = Duration.ofSeconds(1);

  /** The longest wait between two attempts, from 0 to 1h. Default: 32s ({@link #DEFAULT_RETRY_MAX_DELAY}). */
  public static final String RETRY_MAX_DELAY = "retryMaxDelay";

  /** Default of {@link #RETRY_MAX_DELAY}. */
  public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(32);

  /**
   * How long one operation may take across all its attempts, from 1ms to 24h. Default: 2m ({@link
   * #DEFAULT_RETRY_TOTAL_TIMEOUT}).
   */
  public static final String RETRY_TOTAL_TIMEOUT = "retryTotalTimeout";

  /** Default of {@link #RETRY_TOTAL_TIMEOUT}. */
  public static final Duration DEFAULT_RETRY_TOTAL_TIMEOUT = Duration.ofMinutes(2);

  /** Every key this backend understands. */
  public static final Set<String> KEYS =
      Set.of(
          HOST,
          PROJECT,
          CREDENTIALS_FILE,
          ANONYMOUS,
          CHECK_BUCKET,
          DIRECT_UPLOAD_MAX,
          CHUNK_SIZE,
          LIST_PAGE_SIZE,
          MAX_ATTEMPTS,
          RETRY_INITIAL_DELAY,
          RETRY_MAX_DELAY,
          RETRY_TOTAL_TIMEOUT);

  private final Optional<String> host;
  private final Optional<String> project;
  private final Optional<Path> credentialsFile;
  private final boolean anonymous;
  private final boolean checkBucket;
  private final long directUploadMax;
  private final long chunkSize;
  private final int listPageSize;
  private final int maxAttempts;
  private final Duration retryInitialDelay;
  private final Duration retryMaxDelay;
  private final Duration retryTotalTimeout;

  private GcsProperties(StorageOptions options, Map<String, String> environment) {
    Optional<String> givenHost = options.string(HOST).or(() -> nonBlank(environment.get(EMULATOR_HOST_ENV)));
    this.host = givenHost.map(h -> normalizeHost(h, options));
    this.project = options.string(PROJECT);
    this.credentialsFile = options.string(CREDENTIALS_FILE).map(Path::of);
    this.anonymous = options.bool(ANONYMOUS, DEFAULT_ANONYMOUS);
    this.checkBucket = options.bool(CHECK_BUCKET, DEFAULT_CHECK_BUCKET);
    this.directUploadMax = options.size(DIRECT_UPLOAD_MAX, DEFAULT_DIRECT_UPLOAD_MAX, 0, Integer.MAX_VALUE - 8);
    this.chunkSize = options.size(CHUNK_SIZE, DEFAULT_CHUNK_SIZE, CHUNK_UNIT, 1L << 30);
    if (chunkSize % CHUNK_UNIT != 0) {
      throw options.invalid(CHUNK_SIZE, "is not a multiple of 256 KiB (262144 bytes), as GCS requires; write for example "
          + CHUNK_SIZE + "=" + StorageOptions.formatSize(chunkSize / CHUNK_UNIT * CHUNK_UNIT));
    }
    this.listPageSize = options.positiveInt(LIST_PAGE_SIZE, DEFAULT_LIST_PAGE_SIZE, 1000);
    this.maxAttempts = options.positiveInt(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 100);
    this.retryInitialDelay = options.duration(RETRY_INITIAL_DELAY, DEFAULT_RETRY_INITIAL_DELAY, Duration.ZERO, Duration.ofHours(1));
    this.retryMaxDelay = options.duration(RETRY_MAX_DELAY, DEFAULT_RETRY_MAX_DELAY, Duration.ZERO, Duration.ofHours(1));
    this.retryTotalTimeout =
        options.duration(RETRY_TOTAL_TIMEOUT, DEFAULT_RETRY_TOTAL_TIMEOUT, Duration.ofMillis(1), Duration.ofHours(24));
  }

  /** Properties with every option at its default and no emulator host. */
  public static GcsProperties defaults() {
    return of(Map.of(), Map.of());
  }

  /**
   * Reads options given without a store URI, falling back to {@code environment} for {@value
   * #EMULATOR_HOST_ENV}.
   *
   * @throws IllegalArgumentException naming an unknown or renamed key or a malformed value and the
   *     fix
   */
  public static GcsProperties of(Map<String, String> options, Map<String, String> environment) {
    return new GcsProperties(spec("").parse(options, Map.of()), environment);
  }

  /**
   * Reads the options of a store: {@code options}, with those of {@code uri}'s query over them,
   * falling back to {@code environment} for {@value #EMULATOR_HOST_ENV}.
   *
   * @param location the store as messages name it, such as {@code gs://bucket/prefix}
   * @throws IllegalArgumentException naming a malformed query, an unknown or renamed key or a
   *     malformed value, and the fix
   */
  public static GcsProperties of(String location, URI uri, Map<String, String> options, Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    return new GcsProperties(spec(location).parse(options, uri), environment);
  }

  private static StorageOptions.Builder spec(String location) {
    return StorageOptions.forStore("GCS", location)
        .knownKeys(KEYS)
        .renamedKey("directUploadMaxBytes", DIRECT_UPLOAD_MAX, "B")
        .renamedKey("chunkSizeBytes", CHUNK_SIZE, "B")
        .renamedKey("retryInitialDelayMs", RETRY_INITIAL_DELAY, "ms")
        .renamedKey("retryMaxDelayMs", RETRY_MAX_DELAY, "ms")
        .renamedKey("retryTotalTimeoutMs", RETRY_TOTAL_TIMEOUT, "ms");
  }

  private static Optional<String> nonBlank(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static String normalizeHost(String host, StorageOptions options) {
    String withScheme = host.contains("://") ? host : "http://" + host;
    while (withScheme.endsWith("/")) {
      withScheme = withScheme.substring(0, withScheme.length() - 1);
    }
    URI uri;
    try {
      uri = new URI(withScheme);
    } catch (URISyntaxException e) {
      throw hostError(host, options, "is not a URL");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw hostError(host, options, "is not an http(s) URL");
    }
    return withScheme;
  }

  private static IllegalArgumentException hostError(String host, StorageOptions options, String problem) {
    String fix = "; use a form like http://127.0.0.1:4443";
    return options.isSet(HOST)
        ? options.invalid(HOST, problem + fix)
        : new IllegalArgumentException(
            options.context() + ": " + EMULATOR_HOST_ENV + "='" + host + "' " + problem + fix);
  }

  /** The endpoint override, normalized to a URL without a trailing slash, if one was given. */
  public Optional<String> host() {
    return host;
  }

  /** The endpoint requests go to. */
  public String endpoint() {
    return host.orElse(DEFAULT_HOST);
  }

  /** Whether {@link #host()} points at this machine (localhost, 127.0.0.0/8, ::1). */
  public boolean hostIsLoopback() {
    if (host.isEmpty()) {
      return false;
    }
    String h = URI.create(host.get()).getHost().toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
  }

  /** See {@link #PROJECT}. */
  public Optional<String> project() {
    return project;
  }

  /** See {@link #CREDENTIALS_FILE}. */
  public Optional<Path> credentialsFile() {
    return credentialsFile;
  }

  /** See {@link #ANONYMOUS}. */
  public boolean anonymous() {
    return anonymous;
  }

  /** See {@link #CHECK_BUCKET}. */
  public boolean checkBucket() {
    return checkBucket;
  }

  /** See {@link #DIRECT_UPLOAD_MAX}; in bytes. */
  public long directUploadMax() {
    return directUploadMax;
  }

  /** See {@link #CHUNK_SIZE}; in bytes. */
  public long chunkSize() {
    return chunkSize;
  }

  /** See {@link #LIST_PAGE_SIZE}. */
  public int listPageSize() {
    return listPageSize;
  }

  /** See {@link #MAX_ATTEMPTS}. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** See {@link #RETRY_INITIAL_DELAY}. */
  public Duration retryInitialDelay() {
    return retryInitialDelay;
  }

  /** See {@link #RETRY_MAX_DELAY}. */
  public Duration retryMaxDelay() {
    return retryMaxDelay;
  }

  /** See {@link #RETRY_TOTAL_TIMEOUT}. */
  public Duration retryTotalTimeout() {
    return retryTotalTimeout;
  }

  @Override
  public String toString() {
    return "GcsProperties[" + HOST + "=" + endpoint()
        + project.map(p -> ", " + PROJECT + "=" + p).orElse("")
        + credentialsFile.map(f -> ", " + CREDENTIALS_FILE + "=" + f).orElse("")
        + (anonymous ? ", " + ANONYMOUS : "")
        + ", " + CHECK_BUCKET + "=" + checkBucket
        + ", " + DIRECT_UPLOAD_MAX + "=" + StorageOptions.formatSize(directUploadMax)
        + ", " + CHUNK_SIZE + "=" + StorageOptions.formatSize(chunkSize)
        + ", " + LIST_PAGE_SIZE + "=" + listPageSize
        + ", " + MAX_ATTEMPTS + "=" + maxAttempts
        + ", " + RETRY_INITIAL_DELAY + "=" + StorageOptions.formatDuration(retryInitialDelay)
        + ", " + RETRY_MAX_DELAY + "=" + StorageOptions.formatDuration(retryMaxDelay)
        + ", " + RETRY_TOTAL_TIMEOUT + "=" + StorageOptions.formatDuration(retryTotalTimeout) + "]";
  }
}
