package dev.ama.storage.gcs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options of a {@code gs://bucket/prefix} store: each key, what it means and its default.
 *
 * <p>Options come from the store URI's query ({@code gs://models/ama?maxAttempts=3}) or from the
 * options map given to {@link dev.ama.spi.Storages#open(String, java.util.Map)}; the URI wins. An
 * unknown key is an error, so a misspelt option never silently falls back to its default.
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
   * Objects up to this many bytes are written in one request, held in memory while it is sent;
   * larger ones use a resumable upload. Default: {@value #DEFAULT_DIRECT_UPLOAD_MAX_BYTES} (8 MiB).
   */
  public static final String DIRECT_UPLOAD_MAX_BYTES = "directUploadMaxBytes";

  /** Default of {@link #DIRECT_UPLOAD_MAX_BYTES}. */
  public static final long DEFAULT_DIRECT_UPLOAD_MAX_BYTES = 8L << 20;

  /**
   * The size of each request of a resumable upload, and so the memory one upload holds; a
   * multiple of 256 KiB, as GCS requires. Larger chunks mean fewer requests; GCS recommends at
   * least 8 MiB. Default: {@value #DEFAULT_CHUNK_SIZE_BYTES} (8 MiB).
   */
  public static final String CHUNK_SIZE_BYTES = "chunkSizeBytes";

  /** Default of {@link #CHUNK_SIZE_BYTES}. */
  public static final int DEFAULT_CHUNK_SIZE_BYTES = 8 << 20;

  /** GCS's unit for resumable upload chunks. */
  static final int CHUNK_UNIT = 256 << 10;

  /**
   * How many objects one listing request asks for (GCS returns at most 1000). Default: {@value
   * #DEFAULT_LIST_PAGE_SIZE}.
   */
  public static final String LIST_PAGE_SIZE = "listPageSize";

  /** Default of {@link #LIST_PAGE_SIZE}. */
  public static final int DEFAULT_LIST_PAGE_SIZE = 1000;

  /**
   * How many times a request is tried in all when GCS answers with a transient error (429, 5xx) or
   * the connection fails; {@code 1} disables retries. Create-only writes are retried safely because
   * their precondition makes them idempotent. Default: {@value #DEFAULT_MAX_ATTEMPTS}.
   */
  public static final String MAX_ATTEMPTS = "maxAttempts";

  /** Default of {@link #MAX_ATTEMPTS}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 6;

  /**
   * The wait before the first retry, in milliseconds; it doubles for each further retry (with
   * jitter) up to {@link #RETRY_MAX_DELAY_MS}. Default: {@value #DEFAULT_RETRY_INITIAL_DELAY_MS}.
   */
  public static final String RETRY_INITIAL_DELAY_MS = "retryInitialDelayMs";

  /** Default of {@link #RETRY_INITIAL_DELAY_MS}. */
  public static final long DEFAULT_RETRY_INITIAL_DELAY_MS = 1_000;

  /** The longest wait between two attempts, in milliseconds. Default: {@value #DEFAULT_RETRY_MAX_DELAY_MS}. */
  public static final String RETRY_MAX_DELAY_MS = "retryMaxDelayMs";

  /** Default of {@link #RETRY_MAX_DELAY_MS}. */
  public static final long DEFAULT_RETRY_MAX_DELAY_MS = 32_000;

  /**
   * How long one operation may take across all its attempts, in milliseconds. Default: {@value
   * #DEFAULT_RETRY_TOTAL_TIMEOUT_MS}.
   */
  public static final String RETRY_TOTAL_TIMEOUT_MS = "retryTotalTimeoutMs";

  /** Default of {@link #RETRY_TOTAL_TIMEOUT_MS}. */
  public static final long DEFAULT_RETRY_TOTAL_TIMEOUT_MS = 120_000;

  /** Every key this backend understands. */
  public static final Set<String> KEYS =
      Set.of(
          HOST,
          PROJECT,
          CREDENTIALS_FILE,
          ANONYMOUS,
          CHECK_BUCKET,
          DIRECT_UPLOAD_MAX_BYTES,
          CHUNK_SIZE_BYTES,
          LIST_PAGE_SIZE,
          MAX_ATTEMPTS,
          RETRY_INITIAL_DELAY_MS,
          RETRY_MAX_DELAY_MS,
          RETRY_TOTAL_TIMEOUT_MS);

  private final Map<String, String> values;
  private final Optional<String> host;

  private GcsProperties(Map<String, String> values, Optional<String> host) {
    this.values = values;
    this.host = host;
  }

  /** Properties with every option at its default and no emulator host. */
  public static GcsProperties defaults() {
    return new GcsProperties(Map.of(), Optional.empty());
  }

  /**
   * Reads options, falling back to {@code environment} for {@value #EMULATOR_HOST_ENV}.
   *
   * @throws IllegalArgumentException naming an unknown key or a malformed value and the fix
   */
  public static GcsProperties of(Map<String, String> options, Map<String, String> environment) {
    for (String key : options.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown gs:// store option '" + key + "'. Known options: " + String.join(", ", new java.util.TreeSet<>(KEYS)));
      }
    }
    Map<String, String> copy = new LinkedHashMap<>(options);
    String host = copy.get(HOST);
    if (host == null || host.isBlank()) {
      host = environment.get(EMULATOR_HOST_ENV);
    }
    Optional<String> normalized =
        host == null || host.isBlank() ? Optional.empty() : Optional.of(normalizeHost(host.trim()));
    GcsProperties p = new GcsProperties(Map.copyOf(copy), normalized);
    p.validate();
    return p;
  }

  private static String normalizeHost(String host) {
    String withScheme = host.contains("://") ? host : "http://" + host;
    while (withScheme.endsWith("/")) {
      withScheme = withScheme.substring(0, withScheme.length() - 1);
    }
    java.net.URI uri;
    try {
      uri = new java.net.URI(withScheme);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("gs:// store option " + HOST + "='" + host + "' is not a URL; use a form like http://127.0.0.1:4443", e);
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("gs:// store option " + HOST + "='" + host + "' is not an http(s) URL; use a form like http://127.0.0.1:4443");
    }
    return withScheme;
  }

  private void validate() {
    directUploadMaxBytes();
    long chunk = chunkSizeBytes();
    if (chunk % CHUNK_UNIT != 0) {
      throw new IllegalArgumentException(
          "gs:// store option " + CHUNK_SIZE_BYTES + "=" + chunk + " is not a multiple of 256 KiB (262144); GCS requires it. Try " + Math.max(CHUNK_UNIT, chunk / CHUNK_UNIT * CHUNK_UNIT));
    }
    int page = listPageSize();
    if (page > 1000) {
      throw new IllegalArgumentException("gs:// store option " + LIST_PAGE_SIZE + "=" + page + " exceeds GCS's maximum of 1000");
    }
    maxAttempts();
    retryInitialDelay();
    retryMaxDelay();
    retryTotalTimeout();
    credentialsFile();
    anonymous();
    checkBucket();
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
    String h = java.net.URI.create(host.get()).getHost().toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
  }

  /** See {@link #PROJECT}. */
  public Optional<String> project() {
    return Optional.ofNullable(values.get(PROJECT)).filter(s -> !s.isBlank());
  }

  /** See {@link #CREDENTIALS_FILE}. */
  public Optional<Path> credentialsFile() {
    return Optional.ofNullable(values.get(CREDENTIALS_FILE)).filter(s -> !s.isBlank()).map(Path::of);
  }

  /** See {@link #ANONYMOUS}. */
  public boolean anonymous() {
    return bool(ANONYMOUS, DEFAULT_ANONYMOUS);
  }

  /** See {@link #CHECK_BUCKET}. */
  public boolean checkBucket() {
    return bool(CHECK_BUCKET, DEFAULT_CHECK_BUCKET);
  }

  /** See {@link #DIRECT_UPLOAD_MAX_BYTES}. */
  public long directUploadMaxBytes() {
    return number(DIRECT_UPLOAD_MAX_BYTES, DEFAULT_DIRECT_UPLOAD_MAX_BYTES, 0, Integer.MAX_VALUE - 8);
  }

  /** See {@link #CHUNK_SIZE_BYTES}. */
  public int chunkSizeBytes() {
    return (int) number(CHUNK_SIZE_BYTES, DEFAULT_CHUNK_SIZE_BYTES, CHUNK_UNIT, 1L << 30);
  }

  /** See {@link #LIST_PAGE_SIZE}. */
  public int listPageSize() {
    return (int) number(LIST_PAGE_SIZE, DEFAULT_LIST_PAGE_SIZE, 1, Integer.MAX_VALUE);
  }

  /** See {@link #MAX_ATTEMPTS}. */
  public int maxAttempts() {
    return (int) number(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1, 100);
  }

  /** See {@link #RETRY_INITIAL_DELAY_MS}. */
  public Duration retryInitialDelay() {
    return Duration.ofMillis(number(RETRY_INITIAL_DELAY_MS, DEFAULT_RETRY_INITIAL_DELAY_MS, 0, 3_600_000));
  }

  /** See {@link #RETRY_MAX_DELAY_MS}. */
  public Duration retryMaxDelay() {
    return Duration.ofMillis(number(RETRY_MAX_DELAY_MS, DEFAULT_RETRY_MAX_DELAY_MS, 0, 3_600_000));
  }

  /** See {@link #RETRY_TOTAL_TIMEOUT_MS}. */
  public Duration retryTotalTimeout() {
    return Duration.ofMillis(number(RETRY_TOTAL_TIMEOUT_MS, DEFAULT_RETRY_TOTAL_TIMEOUT_MS, 1, 86_400_000));
  }

  private boolean bool(String key, boolean dflt) {
    String v = values.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("gs:// store option " + key + "='" + v + "' is not a boolean; use true or false");
    };
  }

  private long number(String key, long dflt, long min, long max) {
    String v = values.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("gs:// store option " + key + "='" + v + "' is not a whole number", e);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("gs:// store option " + key + "=" + n + " is out of range; use a value from " + min + " to " + max);
    }
    return n;
  }

  @Override
  public String toString() {
    return "GcsProperties" + values + (host.isPresent() ? " host=" + host.get() : "");
  }
}
