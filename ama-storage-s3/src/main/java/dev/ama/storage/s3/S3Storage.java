package dev.ama.storage.s3;

import dev.ama.internal.ExactLengthInputStream;
import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageKeys;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * A {@link Storage} in an S3 bucket under a key prefix, on AWS or any S3-compatible server.
 *
 * <ul>
 *   <li>{@link #putIfAbsent} sends {@code If-None-Match: *}, on a single PUT for small content and
 *       on CompleteMultipartUpload for large content, so the create is atomic on the server: a
 *       {@code 412 Precondition Failed} means another writer created the key first. A {@code 409
 *       ConditionalRequestConflict} (a racing write still in progress) is retried with backoff,
 *       as AWS advises, until it resolves to created or already existing.
 *   <li>Content above {@link S3StorageProperties#MULTIPART_THRESHOLD} is uploaded in parts, up to
 *       {@link S3StorageProperties#PARALLELISM} at a time, each streamed from {@link
 *       Content#openStream(long, long)}; nothing is held in memory whole. A failed upload is
 *       aborted so no parts are left behind.
 *   <li>Ranged reads are HTTP {@code Range} GETs; listings are lazy ListObjectsV2 pages.
 *   <li>Throttling, 5xx and network errors are retried by the SDK with exponential backoff. A
 *       read that breaks mid-body resumes from where it stopped ({@link ResumingObjectStream});
 *       a response cut short is asked for again; an upload whose body stops moving for the
 *       socket timeout is abandoned and retried ({@link StalledUploadWatchdog}). All of it is
 *       bounded by {@link S3StorageProperties#MAX_ATTEMPTS}.
 *   <li>Errors name the bucket and key, the cause and the fix: missing bucket, missing or wrong
 *       credentials, access denied, unreachable endpoint.
 * </ul>
 *
 * <p>A caveat inherited from S3: if a create-only PUT succeeds on the server but its response is
 * lost, the SDK's retry is answered {@code 412} and this call reports {@link
 * PutOutcome#ALREADY_EXISTS} for the object it created itself. The object then holds exactly this
 * call's bytes; a caller that must tell "I lost" from "I won but was not told" re-reads the
 * object and compares it with what it wrote, as AMA's alias log does.
 *
 * <p>Instances are immutable and thread-safe; close them to release the HTTP connection pool and
 * the upload threads.
 */
public final class S3Storage implements Storage {
  private static final int CONFLICT_RETRIES = 6;
  private static final int MAX_PARTS = 10_000;
  private static final String NO_SUCH_UPLOAD = "NoSuchUpload";

  private final S3StorageProperties properties;
  private final S3Client client;
  private final boolean ownsClient;
  private final List<SdkAutoCloseable> closeables;
  private final String keyPrefix;
  private final ExecutorService partUploads;
  private final S3Errors errors;
  private volatile boolean bucketSeen;

  private S3Storage(
      S3StorageProperties properties, S3Client client, boolean ownsClient, List<SdkAutoCloseable> closeables) {
    this.properties = properties;
    this.client = client;
    this.ownsClient = ownsClient;
    this.closeables = closeables;
    this.keyPrefix = properties.prefix().isEmpty() ? "" : properties.prefix() + "/";
    this.errors = new S3Errors(properties);
    AtomicInteger threads = new AtomicInteger();
    this.partUploads = Executors.newFixedThreadPool(properties.parallelism(), r -> {
      Thread t = new Thread(r, "ama-s3-part-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens a storage with its own S3 client built from the properties: endpoint, region, path
   * style, credentials, connection pool, timeouts and retry strategy. No request is sent yet.
   */
  public static S3Storage open(S3StorageProperties properties) {
    Objects.requireNonNull(properties, "properties");
    AwsCredentialsProvider credentials = credentialsProvider(properties);
    Apache5HttpClient.Builder httpBuilder = Apache5HttpClient.builder()
        .maxConnections(properties.maxConnections())
        .connectionTimeout(properties.connectTimeout())
        .socketTimeout(properties.socketTimeout());
    if (properties.endpoint().filter(e -> "http".equalsIgnoreCase(e.getScheme())).isPresent()) {
      httpBuilder.tlsSocketStrategy(new DeferredTls());
    }
    SdkHttpClient http = new StalledUploadWatchdog(httpBuilder.build(), properties.socketTimeout());
    S3ClientBuilder builder = S3Client.builder()
        .httpClient(http)
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(properties.maxAttempts())
                .backoffStrategy(BackoffStrategy.exponentialDelay(
                    Duration.ofMillis(100), Duration.ofSeconds(20)))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(
                    Duration.ofMillis(500), Duration.ofSeconds(30)))
                // A bulk upload riding out a throttling burst should keep backing off per request
                // rather than have a shared token bucket fail the remaining requests fast.
                .circuitBreakerEnabled(false)
                .build())
            .build())
        .forcePathStyle(properties.pathStyle())
        .requestChecksumCalculation(properties.checksums() == S3StorageProperties.Checksums.WHEN_SUPPORTED
            ? RequestChecksumCalculation.WHEN_SUPPORTED
            : RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(properties.checksums() == S3StorageProperties.Checksums.WHEN_SUPPORTED
            ? ResponseChecksumValidation.WHEN_SUPPORTED
            : ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(credentials);
    properties.endpoint().ifPresent(builder::endpointOverride);
    Optional<Region> region = properties.region().map(Region::of).or(S3Storage::regionFromChain);
    if (region.isPresent()) {
      builder.region(region.get());
    } else {
      builder.region(Region.of(S3StorageProperties.FALLBACK_REGION));
      if (properties.endpoint().isEmpty()) {
        builder.crossRegionAccessEnabled(true);
      }
    }
    List<SdkAutoCloseable> closeables = new ArrayList<>();
    // A client given with httpClient() is not closed by the S3 client.
    closeables.add(http);
    if (credentials instanceof SdkAutoCloseable c) {
      closeables.add(c);
    }
    return new S3Storage(properties, builder.build(), true, closeables);
  }

  /**
   * A storage over a client the caller built and keeps ownership of (it is not closed by {@link
   * #close()}); for custom authentication or instrumentation. The client's endpoint, region and
   * credentials apply; of the properties, only the bucket, prefix and upload settings are used.
   */
  public static S3Storage of(S3Client client, S3StorageProperties properties) {
    return new S3Storage(
        Objects.requireNonNull(properties, "properties"), Objects.requireNonNull(client, "client"), false, List.of());
  }

  private static AwsCredentialsProvider credentialsProvider(S3StorageProperties p) {
    if (p.anonymous()) {
      return AnonymousCredentialsProvider.create();
    }
    if (p.accessKeyId().isPresent()) {
      String id = p.accessKeyId().get();
      String secret = p.secretAccessKey().orElseThrow();
      return StaticCredentialsProvider.create(p.sessionToken().isPresent()
          ? AwsSessionCredentials.create(id, secret, p.sessionToken().get())
          : AwsBasicCredentials.create(id, secret));
    }
    if (p.profile().isPresent()) {
      return ProfileCredentialsProvider.builder().profileName(p.profile().get()).build();
    }
    return DefaultCredentialsProvider.builder().build();
  }

  private static Optional<Region> regionFromChain() {
    try {
      return Optional.ofNullable(new DefaultAwsRegionProviderChain().getRegion());
    } catch (SdkException e) {
      return Optional.empty();
    }
  }

  /** The properties this storage was opened with. */
  public S3StorageProperties properties() {
    return properties;
  }

  @Override
  public String location() {
    return properties.location();
  }

  private String s3Key(String key) {
    return keyPrefix + StorageKeys.check(key);
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    String s3Key = s3Key(key);
    try {
      HeadObjectResponse head = whole("stat", s3Key, () -> client.headObject(b -> b.bucket(properties.bucket()).key(s3Key)),
          h -> h.contentLength() != null, "Content-Length", h -> { });
      return Optional.of(info(key, head.contentLength(), head.lastModified()));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        checkBucketExists("stat", s3Key);
        return Optional.empty();
      }
      if (e.statusCode() == 403) {
        // A HEAD response has no body, so it cannot say why it was refused; a one-byte GET can.
        throw diagnoseForbidden("stat", s3Key, e);
      }
      throw errors.translate("stat", s3Key, e);
    } catch (SdkException e) {
      throw errors.translate("stat", s3Key, e);
    }
  }

  private static ObjectInfo info(String key, Long size, Instant modified) {
    return new ObjectInfo(key, size == null ? 0 : size, modified == null ? Instant.now() : modified);
  }

  /**
   * A HEAD 404 cannot tell a missing key from a missing bucket. The first one asks the bucket
   * (HeadBucket) once per storage, so a mistyped bucket fails loudly instead of looking empty.
   */
  private void checkBucketExists(String operation, String s3Key) throws IOException {
    if (bucketSeen) {
      return;
    }
    try {
      client.headBucket(b -> b.bucket(properties.bucket()));
      bucketSeen = true;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw errors.noSuchBucket(operation, s3Key, e);
      }
      // 403: the bucket exists, but this identity may not HeadBucket it; the key is just missing.
      bucketSeen = true;
    } catch (SdkException e) {
      throw errors.translate(operation, s3Key, e);
    }
  }

  private IOException diagnoseForbidden(String operation, String s3Key, S3Exception headError) {
    try {
      client.getObjectAsBytes(b -> b.bucket(properties.bucket()).key(s3Key).range("bytes=0-0"));
      return errors.translate(operation, s3Key, headError);
    } catch (S3Exception e) {
      return errors.translate(operation, s3Key, e.statusCode() == 403 ? e : headError);
    } catch (SdkException e) {
      return errors.translate(operation, s3Key, headError);
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    String s3Key = s3Key(key);
    try {
      return resuming(getWhole(s3Key, b -> b.bucket(properties.bucket()).key(s3Key)), s3Key, 0);
    } catch (S3Exception e) {
      throw notFoundOr("open", key, s3Key, e);
    } catch (SdkException e) {
      throw errors.translate("open", s3Key, e);
    }
  }

  private IOException notFoundOr(String operation, String key, String s3Key, S3Exception e) {
    if (e.statusCode() == 404 && !S3Errors.NO_SUCH_BUCKET.equals(S3Errors.code(e))) {
      bucketSeen = bucketSeen || S3Errors.NO_SUCH_KEY.equals(S3Errors.code(e));
      return new ObjectNotFoundException(location(), key);
    }
    return errors.translate(operation, s3Key, e);
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    StorageKeys.checkRange(offset, length);
    String s3Key = s3Key(key);
    if (length == 0) {
      // HTTP cannot express an empty range; the size alone answers.
      long size = stat(key).orElseThrow(() -> new ObjectNotFoundException(location(), key)).size();
      checkOffset(key, offset, size);
      return InputStream.nullInputStream();
    }
    long last = offset + length - 1 < 0 ? Long.MAX_VALUE : offset + length - 1;
    try {
      return resuming(
          getWhole(s3Key, b -> b.bucket(properties.bucket()).key(s3Key).range("bytes=" + offset + "-" + last)),
          s3Key, offset);
    } catch (S3Exception e) {
      if (e.statusCode() == 416) {
        // Unsatisfiable range: the offset is at or past the end, and only "past" is an error.
        long size = stat(key).orElseThrow(() -> new ObjectNotFoundException(location(), key)).size();
        checkOffset(key, offset, size);
        return InputStream.nullInputStream();
      }
      throw notFoundOr("open", key, s3Key, e);
    } catch (SdkException e) {
      throw errors.translate("open", s3Key, e);
    }
  }

  private ResponseInputStream<GetObjectResponse> getWhole(String s3Key, Consumer<GetObjectRequest.Builder> request)
      throws IOException {
    return whole("open", s3Key, () -> client.getObject(request), r -> r.response().contentLength() != null,
        "Content-Length", ResponseInputStream::abort);
  }

  /**
   * Sends a request again when its answer lacks what S3 always sends (an ETag, a Content-Length):
   * that is a response cut inside its head, which the HTTP client cannot tell from a whole one.
   * The SDK's retries end once a response is parsed, so these are counted here, up to the same
   * {@link S3StorageProperties#MAX_ATTEMPTS}.
   */
  private <T> T whole(
      String operation, String s3Key, Supplier<T> request, Predicate<T> isWhole, String expected, Consumer<T> discard)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      T response = request.get();
      if (isWhole.test(response)) {
        return response;
      }
      discard.accept(response);
      if (attempt >= properties.maxAttempts()) {
        throw errors.connectionBroke(operation, s3Key,
            new EOFException("S3's answer carried no " + expected + ": it was cut short"), null);
      }
      backOff(attempt, s3Key);
    }
  }

  private InputStream resuming(ResponseInputStream<GetObjectResponse> first, String s3Key, long start) throws IOException {
    return new ResumingObjectStream(first, start, (from, last, eTag) -> client.getObject(
        b -> b.bucket(properties.bucket()).key(s3Key).range("bytes=" + from + "-" + last).ifMatch(eTag)),
        errors, s3Key, properties.maxAttempts());
  }

  private void checkOffset(String key, long offset, long size) throws EOFException {
    if (offset > size) {
      throw new EOFException(
          "offset " + offset + " is beyond the end of " + key + " (" + size + " bytes) in " + location());
    }
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
    StorageKeys.checkPrefix(prefix);
    Objects.requireNonNull(startAfter, "startAfter");
    ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
        .bucket(properties.bucket())
        .prefix(keyPrefix + prefix);
    if (!startAfter.isEmpty()) {
      request.startAfter(keyPrefix + startAfter);
    }
    // The first page is fetched now, so a missing bucket or denied listing is thrown from here.
    Pages pages = new Pages(request.build());
    pages.fetch();
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /** Walks ListObjectsV2 pages lazily, one request per page as the stream is consumed. */
  private final class Pages implements Iterator<ObjectInfo> {
    private ListObjectsV2Request request;
    private Iterator<S3Object> page = java.util.Collections.emptyIterator();
    private boolean more = true;
    private ObjectInfo next;

    Pages(ListObjectsV2Request request) {
      this.request = request;
    }

    void fetch() throws IOException {
      try {
        ListObjectsV2Response response = client.listObjectsV2(request);
        page = response.contents().iterator();
        more = Boolean.TRUE.equals(response.isTruncated()) && response.nextContinuationToken() != null;
        if (more) {
          request = request.toBuilder().continuationToken(response.nextContinuationToken()).startAfter(null).build();
        }
        bucketSeen = true;
      } catch (SdkException e) {
        throw errors.translate("list", request.prefix(), e);
      }
    }

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (page.hasNext()) {
          S3Object o = page.next();
          // Folder markers ("dir/") that consoles create are not AMA objects. Some S3-compatible
          // servers match a prefix loosely (S3Proxy's filesystem provider reads "a/." as "a/"),
          // so what the prefix does not start is dropped here.
          if (o.key().endsWith("/") || o.key().length() <= keyPrefix.length() || !o.key().startsWith(request.prefix())) {
            continue;
          }
          next = info(o.key().substring(keyPrefix.length()), o.size(), o.lastModified());
        } else if (more) {
          try {
            fetch();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        } else {
          return false;
        }
      }
      return true;
    }

    @Override
    public ObjectInfo next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      ObjectInfo result = next;
      next = null;
      return result;
    }
  }

  @Override
  public PutOutcome putIfAbsent(String key, Content content) throws IOException {
    String s3Key = s3Key(key);
    if (content.length() > properties.multipartThreshold()) {
      // Uploading gigabytes only to be told 412 at the end is wasteful; the HEAD is only a
      // shortcut, CompleteMultipartUpload's If-None-Match still decides a race.
      if (stat(key).isPresent()) {
        return PutOutcome.ALREADY_EXISTS;
      }
      return multipartUpload(s3Key, content, true);
    }
    return singlePut(s3Key, content, true);
  }

  @Override
  public void put(String key, Content content) throws IOException {
    String s3Key = s3Key(key);
    if (content.length() > properties.multipartThreshold()) {
      multipartUpload(s3Key, content, false);
    } else {
      singlePut(s3Key, content, false);
    }
  }

  private PutOutcome singlePut(String s3Key, Content content, boolean createOnly) throws IOException {
    try {
      return write(s3Key, createOnly, () -> client.putObject(
          b -> {
            b.bucket(properties.bucket()).key(s3Key).contentLength(content.length());
            if (createOnly) {
              b.ifNoneMatch("*");
            }
          },
          body(s3Key, content, 0, content.length())));
    } catch (SdkException e) {
      throw errors.translate("put", s3Key, e);
    } catch (RuntimeException e) {
      throw contentFailure(s3Key, content, e);
    }
  }

  /** The request that makes an object visible: a PutObject or a CompleteMultipartUpload. */
  private interface PublishingRequest {
    void send();
  }

  /**
   * Sends the request that publishes an object. For a create-only write, 412 means another
   * writer's object is there (once a HEAD confirms it); 409, a conflicting write still in
   * flight, is retried with backoff as AWS advises.
   */
  private PutOutcome write(String s3Key, boolean createOnly, PublishingRequest request) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        request.send();
        return PutOutcome.CREATED;
      } catch (S3Exception e) {
        if (createOnly && e.statusCode() == 412) {
          return confirmedExisting(s3Key, e);
        }
        if (e.statusCode() == 404 && NO_SUCH_UPLOAD.equals(S3Errors.code(e))) {
          // The SDK retried a CompleteMultipartUpload whose response was lost: the first one
          // completed the upload, so it is gone. The object is there, as after a lost PUT response.
          if (!objectExists(s3Key)) {
            throw errors.translate("put", s3Key, e);
          }
          return createOnly ? PutOutcome.ALREADY_EXISTS : PutOutcome.CREATED;
        }
        if (e.statusCode() == 409 && attempt < CONFLICT_RETRIES) {
          backOff(attempt, s3Key);
          continue;
        }
        throw errors.translate("put", s3Key, e);
      } catch (SdkException e) {
        throw errors.translate("put", s3Key, e);
      }
    }
  }

  private boolean objectExists(String s3Key) throws IOException {
    try {
      client.headObject(b -> b.bucket(properties.bucket()).key(s3Key));
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw errors.translate("stat", s3Key, e);
    } catch (SdkException e) {
      throw errors.translate("stat", s3Key, e);
    }
  }

  /**
   * A 412 is trusted only once a HEAD shows the object: some S3-compatible servers (S3Proxy)
   * answer 412 for a key that is a "directory" of other keys although no object has it, and
   * ALREADY_EXISTS must never be claimed for an object a reader cannot find.
   */
  private PutOutcome confirmedExisting(String s3Key, S3Exception preconditionFailed) throws IOException {
    try {
      client.headObject(b -> b.bucket(properties.bucket()).key(s3Key));
      return PutOutcome.ALREADY_EXISTS;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        IOException refused = new IOException(
            "S3 at " + properties.endpointDescription() + " refused to create s3://" + properties.bucket() + "/" + s3Key
                + " (412 Precondition Failed) although it has no object under that key; the server probably cannot"
                + " store a key that another key is nested under (" + s3Key + "/...). Use a different key",
            preconditionFailed);
        refused.addSuppressed(e);
        throw refused;
      }
      throw errors.translate("stat", s3Key, e);
    } catch (SdkException e) {
      throw errors.translate("stat", s3Key, e);
    }
  }

  /**
   * The content, not S3, failed: its stream threw (unwrapped so the caller sees its own error) or
   * yielded fewer bytes than its declared length (the SDK's IllegalStateException).
   */
  private IOException contentFailure(String s3Key, Content content, RuntimeException e) {
    if (e instanceof ContentFailure failure) {
      return failure.getCause();
    }
    if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("content-length")) {
      return new IOException(
          "the content written to s3://" + properties.bucket() + "/" + s3Key + " yielded a different number of bytes than"
              + " its declared length " + content.length() + " (" + e.getMessage() + "); was the file changed while"
              + " it was uploaded? Nothing was written; retry once the file is stable", e);
    }
    throw e;
  }

  /** Carries an IOException of the content through the SDK, which neither wraps nor retries it. */
  private static final class ContentFailure extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    ContentFailure(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Marks the content's IOExceptions so they are not mistaken for (and retried as) network errors. */
  private static final class ContentStream extends java.io.FilterInputStream {
    ContentStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() {
      try {
        return super.read();
      } catch (IOException e) {
        throw new ContentFailure(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        throw new ContentFailure(e);
      }
    }

    @Override
    public long skip(long n) {
      try {
        return super.skip(n);
      } catch (IOException e) {
        throw new ContentFailure(e);
      }
    }

    @Override
    public int available() {
      try {
        return super.available();
      } catch (IOException e) {
        throw new ContentFailure(e);
      }
    }
  }

  private RequestBody body(String s3Key, Content content, long offset, long length) {
    return RequestBody.fromContentProvider(
        () -> {
          try {
            if (offset + length < content.length()) {
              return new ContentStream(content.openStream(offset, length));
            }
            // The last bytes: a content yielding more than it declared must fail the upload, not
            // be stored cut at the declared length.
            InputStream whole = content.openStream();
            try {
              whole.skipNBytes(offset);
            } catch (IOException | RuntimeException e) {
              whole.close();
              throw e;
            }
            return new ContentStream(ExactLengthInputStream.tail(whole, length, content.length(),
                "the content written to s3://" + properties.bucket() + "/" + s3Key));
          } catch (IOException e) {
            throw new ContentFailure(e);
          }
        },
        length,
        "application/octet-stream");
  }

  private PutOutcome multipartUpload(String s3Key, Content content, boolean createOnly) throws IOException {
    long length = content.length();
    long partSize = partSize(length);
    int partCount = (int) ((length + partSize - 1) / partSize);
    boolean checksums = properties.checksums() == S3StorageProperties.Checksums.WHEN_SUPPORTED;
    String uploadId;
    try {
      uploadId = client.createMultipartUpload(b -> {
        b.bucket(properties.bucket()).key(s3Key);
        if (checksums) {
          b.checksumAlgorithm(ChecksumAlgorithm.CRC32);
        }
      }).uploadId();
    } catch (SdkException e) {
      throw errors.translate("put", s3Key, e);
    }
    boolean completed = false;
    try {
      List<CompletedPart> parts = uploadParts(s3Key, uploadId, content, partSize, partCount);
      PutOutcome outcome = write(s3Key, createOnly, () -> client.completeMultipartUpload(b -> {
        b.bucket(properties.bucket()).key(s3Key).uploadId(uploadId).multipartUpload(m -> m.parts(parts));
        if (createOnly) {
          b.ifNoneMatch("*");
        }
      }));
      // Only a completed upload is an object; one refused by If-None-Match is aborted below.
      completed = outcome == PutOutcome.CREATED;
      return outcome;
    } finally {
      if (!completed) {
        abort(s3Key, uploadId);
      }
    }
  }

  private long partSize(long length) {
    long size = properties.partSize();
    if ((length + size - 1) / size > MAX_PARTS) {
      long needed = (length + MAX_PARTS - 1) / MAX_PARTS;
      size = ((needed + (1 << 20) - 1) >> 20) << 20;
    }
    return size;
  }

  private List<CompletedPart> uploadParts(
      String s3Key, String uploadId, Content content, long partSize, int partCount) throws IOException {
    long length = content.length();
    List<Future<CompletedPart>> futures = new ArrayList<>(partCount);
    try {
      for (int i = 0; i < partCount; i++) {
        int partNumber = i + 1;
        long offset = i * partSize;
        long size = Math.min(partSize, length - offset);
        futures.add(partUploads.submit(() -> uploadPart(s3Key, uploadId, partNumber, content, offset, size)));
      }
      List<CompletedPart> parts = new ArrayList<>(partCount);
      for (Future<CompletedPart> f : futures) {
        parts.add(f.get());
      }
      return parts;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException ie = new InterruptedIOException(
          "upload of s3://" + properties.bucket() + "/" + s3Key + " was interrupted; it was aborted");
      ie.initCause(e);
      throw ie;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (cause instanceof SdkException sdk) {
        throw errors.translate("put", s3Key, sdk);
      }
      throw new IOException("upload of a part of s3://" + properties.bucket() + "/" + s3Key + " failed: " + cause, cause);
    } finally {
      // On failure, stop the parts still queued or running before the upload is aborted.
      for (Future<CompletedPart> f : futures) {
        f.cancel(true);
      }
    }
  }

  private CompletedPart uploadPart(
      String s3Key, String uploadId, int partNumber, Content content, long offset, long size) throws IOException {
    boolean checksums = properties.checksums() == S3StorageProperties.Checksums.WHEN_SUPPORTED;
    try {
      // CompleteMultipartUpload needs every part's ETag; one missing would fail the whole upload at its end.
      UploadPartResponse response = whole("put (part " + partNumber + ")", s3Key, () -> client.uploadPart(
          b -> {
            b.bucket(properties.bucket()).key(s3Key).uploadId(uploadId).partNumber(partNumber).contentLength(size);
            if (checksums) {
              b.checksumAlgorithm(ChecksumAlgorithm.CRC32);
            }
          },
          body(s3Key, content, offset, size)), r -> r.eTag() != null && !r.eTag().isEmpty(), "ETag", r -> { });
      return CompletedPart.builder()
          .partNumber(partNumber)
          .eTag(response.eTag())
          .checksumCRC32(checksums ? response.checksumCRC32() : null)
          .build();
    } catch (SdkException e) {
      throw errors.translate("put (part " + partNumber + ")", s3Key, e);
    } catch (RuntimeException e) {
      throw contentFailure(s3Key, content, e);
    }
  }

  private void abort(String s3Key, String uploadId) {
    try {
      client.abortMultipartUpload(b -> b.bucket(properties.bucket()).key(s3Key).uploadId(uploadId));
    } catch (SdkException e) {
      // The original failure matters more; a lifecycle rule (see docs/s3.md) reaps what is left.
    }
  }

  private void backOff(int attempt, String s3Key) throws InterruptedIOException {
    pause(attempt, "retrying a request for " + errors.target(s3Key));
  }

  /**
   * Sleeps before the retry after {@code attempt} failures: exponential from 100ms to 2s, half of
   * it random so racing writers spread out. For the retries S3Storage makes itself, beside the
   * SDK's.
   */
  static void pause(int attempt, String doing) throws InterruptedIOException {
    long millis = Math.min(2000, 50L << Math.min(attempt, 10));
    try {
      Thread.sleep(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while " + doing);
    }
  }

  /**
   * Deletes the object. S3's DeleteObject succeeds whether or not the key existed, so a HEAD
   * first tells the caller whether there was something to delete; a racing delete may make both
   * callers report {@code true}, which garbage collection tolerates.
   */
  @Override
  public boolean delete(String key) throws IOException {
    if (stat(key).isEmpty()) {
      return false;
    }
    String s3Key = s3Key(key);
    try {
      client.deleteObject(b -> b.bucket(properties.bucket()).key(s3Key));
      return true;
    } catch (SdkException e) {
      throw errors.translate("delete", s3Key, e);
    }
  }

  @Override
  public void close() {
    partUploads.shutdownNow();
    if (ownsClient) {
      client.close();
      closeables.forEach(SdkAutoCloseable::close);
    }
  }

  @Override
  public String toString() {
    return "S3Storage[" + location() + properties.endpoint().map(e -> " at " + e).orElse("") + "]";
  }
}
