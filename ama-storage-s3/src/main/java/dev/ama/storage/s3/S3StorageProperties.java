package dev.ama.storage.s3;

import dev.ama.spi.StorageOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything that configures an {@link S3Storage}: the bucket and prefix of the store, and the
 * options below, each a constant naming its key with its default. Options come from the query of
 * an {@code s3://bucket/prefix?key=value&...} store URI or from an options map (a config file, the
 * Java API); the URI wins where both give a key.
 *
 * <p>The URI's query, the keys and the values follow the rules of {@link StorageOptions}, shared by
 * every backend: sizes are a number of bytes or a number with a unit, all binary ({@code 8MB},
 * {@code 8MiB}, {@code 8m} and {@code 8388608} are the same); durations need a unit ({@code
 * 500ms}, {@code 30s}, {@code 2m}); switches are {@code true} or {@code false}.
 *
 * <p>Instances are immutable. {@link #toString()} never shows a secret.
 */
public final class S3StorageProperties {

  /**
   * The S3 endpoint, for S3-compatible stores (MinIO, IBM COS, Ceph, R2) or a private AWS
   * endpoint, such as {@code http://127.0.0.1:9000}. Default: the environment variable {@code
   * AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL}, else AWS's regional endpoint.
   */
  public static final String ENDPOINT = "endpoint";

  /**
   * The bucket's region, such as {@code eu-west-1}. Default: the SDK's region chain ({@code
   * AWS_REGION}, the {@code aws.region} system property, the profile file). If that finds none,
   * {@value #FALLBACK_REGION} with cross-region access, so AWS buckets in any region still work.
   */
  public static final String REGION = "region";

  /** The region used when none is configured anywhere: {@value}. */
  public static final String FALLBACK_REGION = "us-east-1";

  /**
   * Whether to address the bucket in the path ({@code http://host/bucket/key}) rather than the
   * host name ({@code http://bucket.host/key}). Default: {@code true} with a custom {@link
   * #ENDPOINT} (what S3-compatible servers on an IP address or a single host name need), {@code
   * false} on AWS.
   */
  public static final String PATH_STYLE = "pathStyle";

  /** A profile of the shared AWS config and credentials files to take credentials from. */
  public static final String PROFILE = "profile";

  /**
   * {@code true} to send unsigned requests, for reading a public bucket without credentials.
   * Default: {@code false}.
   */
  public static final String ANONYMOUS = "anonymous";

  /**
   * A static access key id. Accepted only in the options map, never in a URI (URIs end up in logs
   * and shell history). Default: the SDK's default credentials chain.
   */
  public static final String ACCESS_KEY_ID = "accessKeyId";

  /** The secret access key that goes with {@link #ACCESS_KEY_ID}; options map only. */
  public static final String SECRET_ACCESS_KEY = "secretAccessKey";

  /** A session token for temporary {@link #ACCESS_KEY_ID} credentials; options map only. */
  public static final String SESSION_TOKEN = "sessionToken";

  /** Content larger than this is uploaded in parts. Default: {@value #MULTIPART_THRESHOLD_DEFAULT} bytes (32 MiB). */
  public static final String MULTIPART_THRESHOLD = "multipartThreshold";

  /** Default of {@link #MULTIPART_THRESHOLD}. */
  public static final long MULTIPART_THRESHOLD_DEFAULT = 32L << 20;

  /**
   * The size of each part of a multipart upload (at least 5 MiB, S3's minimum). It grows by itself
   * when content would need more than 10,000 parts. Default: {@value #PART_SIZE_DEFAULT} bytes
   * (16 MiB).
   */
  public static final String PART_SIZE = "partSize";

  /** Default of {@link #PART_SIZE}. */
  public static final long PART_SIZE_DEFAULT = 16L << 20;

  /** S3's smallest allowed part (except the last). */
  public static final long MIN_PART_SIZE = 5L << 20;

  /**
   * How many parts of large uploads are in flight at once, across all uploads of one storage.
   * Memory stays bounded by this times the HTTP client's buffers, whatever the file sizes.
   * Default: {@value #PARALLELISM_DEFAULT}.
   */
  public static final String PARALLELISM = "parallelism";

  /** Default of {@link #PARALLELISM}. */
  public static final int PARALLELISM_DEFAULT = 4;

  /** The HTTP connection pool's size. Default: {@value #MAX_CONNECTIONS_DEFAULT}. */
  public static final String MAX_CONNECTIONS = "maxConnections";

  /** Default of {@link #MAX_CONNECTIONS}. */
  public static final int MAX_CONNECTIONS_DEFAULT = 64;

  /**
   * How many times a request is tried in all, retrying throttling ({@code 503 SlowDown}), 5xx and
   * network errors with exponential backoff and jitter. A read whose body breaks is resumed where
   * it stopped, up to this many times in a row without 1 MiB of progress; a response cut short is
   * asked for again up to this many times. Default: {@value #MAX_ATTEMPTS_DEFAULT}.
   */
  public static final String MAX_ATTEMPTS = "maxAttempts";

  /** Default of {@link #MAX_ATTEMPTS}. */
  public static final int MAX_ATTEMPTS_DEFAULT = 6;

  /** How long to wait for a TCP connection, from 1ms to 1h. Default: 10s. */
  public static final String CONNECT_TIMEOUT = "connectTimeout";

  /** Default of {@link #CONNECT_TIMEOUT}. */
  public static final Duration CONNECT_TIMEOUT_DEFAULT = Duration.ofSeconds(10);

  /**
   * How long a connection may stay silent while a request or response is under way, from 1ms to
   * 1h: a response that stops arriving, or a request body the server stops taking. Default: 60s.
   */
  public static final String SOCKET_TIMEOUT = "socketTimeout";

  /** Default of {@link #SOCKET_TIMEOUT}. */
  public static final Duration SOCKET_TIMEOUT_DEFAULT = Duration.ofSeconds(60);

  /**
   * When to send CRC checksums with uploads: {@code when_supported} (every upload) or {@code
   * when_required} (only where the API demands one). Default: {@code when_supported} on AWS,
   * {@code when_required} with a custom {@link #ENDPOINT}, since several S3-compatible servers
   * reject the SDK's trailing checksums. AMA verifies SHA-256 digests on read either way.
   */
  public static final String CHECKSUMS = "checksums";

  private static final Set<String> SECRET_KEYS = Set.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN);
  private static final Set<String> KNOWN_KEYS =
      Set.of(
          ENDPOINT, REGION, PATH_STYLE, PROFILE, ANONYMOUS, ACCESS_KEY_ID, SECRET_ACCESS_KEY,
          SESSION_TOKEN, MULTIPART_THRESHOLD, PART_SIZE, PARALLELISM, MAX_CONNECTIONS, MAX_ATTEMPTS,
          CONNECT_TIMEOUT, SOCKET_TIMEOUT, CHECKSUMS);
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-_]{1,253}[a-z0-9]");
  private static final Duration LONGEST_TIMEOUT = Duration.ofHours(1);

  /** When uploads carry checksums; see {@link #CHECKSUMS}. */
  public enum Checksums {
    /** On every upload the API allows. */
    WHEN_SUPPORTED,
    /** Only where the API demands one. */
    WHEN_REQUIRED
  }

  private final String bucket;
  private final String prefix;
  private final Optional<URI> endpoint;
  private final Optional<String> region;
  private final boolean pathStyle;
  private final Optional<String> profile;
  private final boolean anonymous;
  private final Optional<String> accessKeyId;
  private final Optional<String> secretAccessKey;
  private final Optional<String> sessionToken;
  private final long multipartThreshold;
  private final long partSize;
  private final int parallelism;
  private final int maxConnections;
  private final int maxAttempts;
  private final Duration connectTimeout;
  private final Duration socketTimeout;
  private final Checksums checksums;

  private S3StorageProperties(String bucket, String prefix, StorageOptions options, Map<String, String> env) {
    this.bucket = bucket;
    this.prefix = prefix;
    String context = options.context();
    Optional<String> endpointText = options.string(ENDPOINT)
        .or(() -> nonBlank(env.get("AWS_ENDPOINT_URL_S3")))
        .or(() -> nonBlank(env.get("AWS_ENDPOINT_URL")));
    this.endpoint = endpointText.map(e -> parseEndpoint(context, e));
    this.region = options.string(REGION);
    this.pathStyle = options.bool(PATH_STYLE, endpoint.isPresent());
    this.profile = options.string(PROFILE);
    this.anonymous = options.bool(ANONYMOUS, false);
    this.accessKeyId = options.string(ACCESS_KEY_ID);
    this.secretAccessKey = options.string(SECRET_ACCESS_KEY);
    this.sessionToken = options.string(SESSION_TOKEN);
    if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
      throw new IllegalArgumentException(
          context + ": option " + (accessKeyId.isPresent() ? SECRET_ACCESS_KEY : ACCESS_KEY_ID)
              + " is missing; give both " + ACCESS_KEY_ID + " and " + SECRET_ACCESS_KEY + " or neither");
    }
    if (sessionToken.isPresent() && accessKeyId.isEmpty()) {
      throw new IllegalArgumentException(
          context + ": option " + SESSION_TOKEN + " needs " + ACCESS_KEY_ID + " and " + SECRET_ACCESS_KEY);
    }
    if (anonymous && (accessKeyId.isPresent() || profile.isPresent())) {
      throw new IllegalArgumentException(
          context + ": " + ANONYMOUS + "=true sends unsigned requests, so it cannot be combined with "
              + (profile.isPresent() ? PROFILE : ACCESS_KEY_ID) + "; remove one of them");
    }
    this.multipartThreshold = options.size(MULTIPART_THRESHOLD, MULTIPART_THRESHOLD_DEFAULT, 1, Long.MAX_VALUE);
    this.partSize = options.size(PART_SIZE, PART_SIZE_DEFAULT, 1, Long.MAX_VALUE);
    if (partSize < MIN_PART_SIZE) {
      throw options.invalid(PART_SIZE, "is below S3's minimum part size of 5 MiB; write " + PART_SIZE + "=5MiB or more");
    }
    this.parallelism = options.positiveInt(PARALLELISM, PARALLELISM_DEFAULT);
    this.maxConnections = options.positiveInt(MAX_CONNECTIONS, MAX_CONNECTIONS_DEFAULT);
    this.maxAttempts = options.positiveInt(MAX_ATTEMPTS, MAX_ATTEMPTS_DEFAULT);
    this.connectTimeout = options.duration(CONNECT_TIMEOUT, CONNECT_TIMEOUT_DEFAULT, Duration.ofMillis(1), LONGEST_TIMEOUT);
    this.socketTimeout = options.duration(SOCKET_TIMEOUT, SOCKET_TIMEOUT_DEFAULT, Duration.ofMillis(1), LONGEST_TIMEOUT);
    this.checksums = options.string(CHECKSUMS)
        .map(c -> checksums(c, options))
        .orElse(endpoint.isPresent() ? Checksums.WHEN_REQUIRED : Checksums.WHEN_SUPPORTED);
  }

  /**
   * Properties for a store URI {@code s3://bucket[/prefix][?key=value&...]} and further options
   * (the URI's query wins), reading the endpoint's default from the process environment.
   *
   * @throws IllegalArgumentException naming the malformed part of the URI or option and the fix
   */
  public static S3StorageProperties of(URI uri, Map<String, String> options) {
    return of(uri, options, System.getenv());
  }

  /** As {@link #of(URI, Map)}, with the environment given; for tests. */
  static S3StorageProperties of(URI uri, Map<String, String> options, Map<String, String> env) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(options, "options");
    if (!"s3".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("'" + uri + "' is not an S3 store location; write s3://bucket/prefix");
    }
    String bucket = uri.getRawAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException(
          "S3 store location '" + uri + "' names no bucket; write s3://bucket/prefix (two slashes before the bucket)");
    }
    if (bucket.contains("@")) {
      throw new IllegalArgumentException(
          "S3 store location '" + redact(uri) + "' contains user information; remove it and give credentials through "
              + "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the '" + PROFILE + "' option");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String prefix = normalizePrefix(checkBucket(bucket), path);
    String context = "S3 store " + location(bucket, prefix);
    Map<String, String> query = StorageOptions.parseQuery(uri, context);
    for (String key : query.keySet()) {
      if (SECRET_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            context + ": the URI carries the secret option '" + key + "' in its query; URIs end up in logs and shell "
                + "history. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, use AWS_PROFILE or the '" + PROFILE
                + "' option, or pass it in the options map");
      }
    }
    return new S3StorageProperties(bucket, prefix, options(bucket, prefix).parse(options, query), env);
  }

  /**
   * Properties for a bucket and prefix (without leading or trailing {@code /}, or empty for the
   * whole bucket) and options.
   */
  public static S3StorageProperties of(String bucket, String prefix, Map<String, String> options) {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    String normalized = normalizePrefix(checkBucket(bucket), prefix);
    return new S3StorageProperties(bucket, normalized, options(bucket, normalized).parse(options, Map.of()), System.getenv());
  }

  private static StorageOptions.Builder options(String bucket, String prefix) {
    return StorageOptions.forStore("S3", location(bucket, prefix)).knownKeys(KNOWN_KEYS);
  }

  private static String location(String bucket, String prefix) {
    return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  private static String checkBucket(String bucket) {
    if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw new IllegalArgumentException(
          "'" + bucket + "' is not a valid S3 bucket name: use 3 to 255 lower-case letters, digits, '.', '-' or '_', "
              + "starting and ending with a letter or digit (s3://bucket/prefix)");
    }
    return bucket;
  }

  private static String normalizePrefix(String bucket, String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.contains("//")) {
      throw new IllegalArgumentException(
          "S3 store location s3://" + bucket + "/" + path + " has an empty path segment ('//'); remove it");
    }
    if (!p.isEmpty()) {
      for (String segment : p.split("/")) {
        if (segment.equals(".") || segment.equals("..")) {
          throw new IllegalArgumentException(
              "S3 store location s3://" + bucket + "/" + path + " has a '" + segment + "' segment; S3 keys are not paths, remove it");
        }
      }
    }
    return p;
  }

  private static URI parseEndpoint(String context, String text) {
    try {
      URI uri = new URI(text.trim());
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || uri.getHost() == null) {
        throw new URISyntaxException(text, "expected http://host[:port] or https://host[:port]");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          context + ": endpoint '" + text + "' is not an http(s) URL (" + e.getReason()
              + "); write for example endpoint=http://127.0.0.1:9000 (option '" + ENDPOINT
              + "' or AWS_ENDPOINT_URL_S3)", e);
    }
  }

  private static Optional<String> nonBlank(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static Checksums checksums(String value, StorageOptions options) {
    try {
      return Checksums.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw options.invalid(CHECKSUMS, "is unknown; write " + CHECKSUMS + "=when_supported or " + CHECKSUMS + "=when_required");
    }
  }

  private static String redact(URI uri) {
    return uri.getScheme() + "://…@" + uri.getHost() + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** The bucket's name. */
  public String bucket() {
    return bucket;
  }

  /** The store's key prefix within the bucket, without leading or trailing {@code /}; empty for the whole bucket. */
  public String prefix() {
    return prefix;
  }

  /** The store location as a person reads it: {@code s3://bucket/prefix}, without options. */
  public String location() {
    return location(bucket, prefix);
  }

  /** The custom endpoint, if any; see {@link #ENDPOINT}. */
  public Optional<URI> endpoint() {
    return endpoint;
  }

  /** The configured region, if any; see {@link #REGION}. */
  public Optional<String> region() {
    return region;
  }

  /** See {@link #PATH_STYLE}. */
  public boolean pathStyle() {
    return pathStyle;
  }

  /** See {@link #PROFILE}. */
  public Optional<String> profile() {
    return profile;
  }

  /** See {@link #ANONYMOUS}. */
  public boolean anonymous() {
    return anonymous;
  }

  /** See {@link #ACCESS_KEY_ID}. */
  public Optional<String> accessKeyId() {
    return accessKeyId;
  }

  /** See {@link #SECRET_ACCESS_KEY}. */
  public Optional<String> secretAccessKey() {
    return secretAccessKey;
  }

  /** See {@link #SESSION_TOKEN}. */
  public Optional<String> sessionToken() {
    return sessionToken;
  }

  /** See {@link #MULTIPART_THRESHOLD}. */
  public long multipartThreshold() {
    return multipartThreshold;
  }

  /** See {@link #PART_SIZE}. */
  public long partSize() {
    return partSize;
  }

  /** See {@link #PARALLELISM}. */
  public int parallelism() {
    return parallelism;
  }

  /** See {@link #MAX_CONNECTIONS}. */
  public int maxConnections() {
    return maxConnections;
  }

  /** See {@link #MAX_ATTEMPTS}. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** See {@link #CONNECT_TIMEOUT}. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** See {@link #SOCKET_TIMEOUT}. */
  public Duration socketTimeout() {
    return socketTimeout;
  }

  /** See {@link #CHECKSUMS}. */
  public Checksums checksums() {
    return checksums;
  }

  /** Where requests go, for error messages: the custom endpoint or "AWS S3". */
  String endpointDescription() {
    return endpoint.map(URI::toString).orElse("AWS S3") + region.map(r -> " (region " + r + ")").orElse("");
  }

  @Override
  public String toString() {
    return "S3StorageProperties[" + location()
        + endpoint.map(e -> ", endpoint=" + e).orElse("")
        + region.map(r -> ", region=" + r).orElse("")
        + ", pathStyle=" + pathStyle
        + profile.map(p -> ", profile=" + p).orElse("")
        + (anonymous ? ", anonymous" : "")
        + (accessKeyId.isPresent() ? ", static credentials" : "")
        + ", multipartThreshold=" + multipartThreshold + ", partSize=" + partSize
        + ", parallelism=" + parallelism + ", maxConnections=" + maxConnections
        + ", maxAttempts=" + maxAttempts + ", connectTimeout=" + connectTimeout
        + ", socketTimeout=" + socketTimeout + ", checksums=" + checksums + "]";
  }
}
