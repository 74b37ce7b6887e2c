package dev.ama.storage.gcs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A small Google Cloud Storage server speaking the subset of the JSON API that the
 * google-cloud-storage Java client uses for AMA: bucket get; object insert ({@code
 * uploadType=media}, {@code multipart} and {@code resumable} with chunked {@code PUT}s and 308
 * answers), get (metadata, and media with {@code Range}), list ({@code prefix}, {@code delimiter},
 * {@code pageToken}, {@code maxResults}, {@code startOffset}, {@code endOffset}) and delete, with
 * generations and {@code ifGenerationMatch} preconditions checked atomically.
 *
 * <p>It listens on a free port of 127.0.0.1 and keeps everything in memory. Requests it does not
 * understand are answered 501 and printed to standard error, so a gap shows at once. For tests:
 *
 * <pre>{@code
 * try (GcsTestServer server = GcsTestServer.start()) {
 *   server.createBucket("models");
 *   Storage storage = Storages.open(server.storeUri("models", "ama"));
 *   // or, for a child process: env STORAGE_EMULATOR_HOST=server.endpoint(), store gs://models/ama
 * }
 * }</pre>
 *
 * <p>Fault modes let tests see how a client copes: {@link #denyAccess} answers 403 to everything,
 * {@link #failNext} answers a given status to the next requests.
 */
public final class GcsTestServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final int RESUMABLE_UNIT = 256 * 1024;
  private static final int MAX_LIST_RESULTS = 1000;
  private static final int MAX_RECORDED = 20_000;
  private static final long SPILL_THRESHOLD = 1 << 20;

  private final HttpServer http;
  private final ExecutorService executor;
  private final Path dataDir;
  private final String endpoint;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final Map<String, UploadSession> sessions = new ConcurrentHashMap<>();
  private final AtomicLong generations = new AtomicLong(System.currentTimeMillis() * 1000);
  private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean denyAccess;
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile int failureStatus = 503;
  private volatile String failureMethod = "";

  /**
   * One request as the server saw it, for tests to assert on. It is recorded when it arrives,
   * before it is answered, so a client that got its answer finds its request recorded.
   */
  public static final class RecordedRequest {
    private final String method;
    private final String path;
    private final Map<String, String> query;
    private final Map<String, String> headers;
    private final AtomicLong bodyLength = new AtomicLong();

    RecordedRequest(String method, String path, Map<String, String> query, Map<String, String> headers) {
      this.method = method;
      this.path = path;
      this.query = Map.copyOf(query);
      this.headers = Map.copyOf(headers);
    }

    /** The HTTP method. */
    public String method() {
      return method;
    }

    /** The raw (percent-encoded) path. */
    public String path() {
      return path;
    }

    /** The decoded query parameters. */
    public Map<String, String> query() {
      return query;
    }

    /** The request headers, by lower-case name. */
    public Map<String, String> headers() {
      return headers;
    }

    /** How many body bytes the server has read so far (all of them once the request was answered). */
    public long bodyLength() {
      return bodyLength.get();
    }

    /** A request header, by lower-case name. */
    public Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
    }

    @Override
    public String toString() {
      return method + " " + path + " " + query + " (" + bodyLength + " bytes)";
    }
  }

  /** Object bytes: small ones in memory, large ones in a file, so big tests do not fill the heap. */
  private static final class Data {
    final byte[] bytes;
    final Path file;
    final long size;
    final String crc32c;
    final String md5;

    Data(byte[] bytes, Path file, long size, String crc32c, String md5) {
      this.bytes = bytes;
      this.file = file;
      this.size = size;
      this.crc32c = crc32c;
      this.md5 = md5;
    }

    static Data of(byte[] bytes) {
      return new Data(bytes, null, bytes.length, crc32c(bytes), md5(bytes));
    }

    InputStream open(long from) throws IOException {
      if (bytes != null) {
        return new java.io.ByteArrayInputStream(bytes, (int) from, (int) (bytes.length - from));
      }
      java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(file);
      ch.position(from);
      return java.nio.channels.Channels.newInputStream(ch);
    }

    byte[] readAll() {
      try (InputStream in = open(0)) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    void discard() {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // The whole directory goes when the server closes.
        }
      }
    }
  }

  private static final class StoredObject {
    final String bucket;
    final String name;
    final Data data;
    final long generation;
    final long metageneration = 1;
    final Instant created;
    final String contentType;
    final Map<String, String> metadata;

    StoredObject(String bucket, String name, Data data, long generation, String contentType, Map<String, String> metadata) {
      this.bucket = bucket;
      this.name = name;
      this.data = data;
      this.generation = generation;
      this.created = Instant.now();
      this.contentType = contentType;
      this.metadata = metadata;
    }
  }

  private static final class Bucket {
    final String name;
    final Instant created = Instant.now();
    // GCS lists in the order of names' UTF-8 bytes; computed here independently of AMA's code.
    final ConcurrentSkipListMap<String, StoredObject> objects =
        new ConcurrentSkipListMap<>(
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));

    Bucket(String name) {
      this.name = name;
    }
  }

  private static final class UploadSession {
    final String bucket;
    final String name;
    final String contentType;
    final Map<String, String> metadata;
    final Map<String, String> preconditions;
    final Path file;
    final CRC32C crc = new CRC32C();
    final MessageDigest md5 = md5Digest();
    long received;
    StoredObject result;

    UploadSession(String bucket, String name, String contentType, Map<String, String> metadata, Map<String, String> preconditions, Path file) {
      this.bucket = bucket;
      this.name = name;
      this.contentType = contentType;
      this.metadata = metadata;
      this.preconditions = preconditions;
      this.file = file;
    }

    /** Appends {@code length} bytes of {@code in}, of which the first {@code skip} are already held. */
    void append(InputStream in, long skip, long length) throws IOException {
      in.skipNBytes(skip);
      byte[] buffer = new byte[64 * 1024];
      long left = length - skip;
      try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
        while (left > 0) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
          if (n < 0) {
            throw new java.io.EOFException("request body ended " + left + " bytes early");
          }
          out.write(buffer, 0, n);
          crc.update(buffer, 0, n);
          md5.update(buffer, 0, n);
          left -= n;
          received += n;
        }
      }
    }

    Data data() throws IOException {
      if (received < SPILL_THRESHOLD) {
        byte[] bytes = received == 0 ? new byte[0] : Files.readAllBytes(file);
        Files.deleteIfExists(file);
        return Data.of(bytes);
      }
      return new Data(null, file, received, encodeCrc(crc.getValue()), Base64.getEncoder().encodeToString(md5.digest()));
    }
  }

  /** An error to answer with GCS's JSON error shape. */
  private static final class GcsError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String reason;

    GcsError(int status, String reason, String message) {
      super(message);
      this.status = status;
      this.reason = reason;
    }
  }

  private GcsTestServer(HttpServer http, ExecutorService executor, Path dataDir) {
    this.http = http;
    this.executor = executor;
    this.dataDir = dataDir;
    this.endpoint = "http://127.0.0.1:" + http.getAddress().getPort();
  }

  /** Starts a server on a free port of 127.0.0.1. Close it to stop it. */
  public static GcsTestServer start() throws IOException {
    return start(0);
  }

  /** Starts a server on the given port of 127.0.0.1 (0 for a free one). */
  public static GcsTestServer start(int port) throws IOException {
    // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs stall each small response ~40 ms.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            32,
            r -> {
              Thread t = new Thread(r, "gcs-test-server-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(executor);
    GcsTestServer server = new GcsTestServer(http, executor, Files.createTempDirectory("gcs-test-server"));
    http.createContext("/", server::handle);
    http.start();
    return server;
  }

  /** The base URL, such as {@code http://127.0.0.1:40123}: the client's host and {@code STORAGE_EMULATOR_HOST}. */
  public String endpoint() {
    return endpoint;
  }

  /** The port listened on. */
  public int port() {
    return http.getAddress().getPort();
  }

  /** Creates an empty bucket (if absent). */
  public GcsTestServer createBucket(String name) {
    buckets.computeIfAbsent(name, Bucket::new);
    return this;
  }

  /**
   * A store URI for this server that any JVM with ama-storage-gcs can open: {@code
   * gs://bucket/prefix?host=http://127.0.0.1:PORT} with quick retries, so tests of failures end
   * fast. The prefix may be empty.
   */
  public String storeUri(String bucket, String prefix) {
    return "gs://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix)
        + "?host=" + endpoint + "&maxAttempts=3&retryInitialDelay=5ms&retryMaxDelay=20ms";
  }

  /**
   * Environment variables that point a child process's gs:// stores at this server, so it can be
   * given a plain {@code gs://bucket/prefix} location.
   */
  public Map<String, String> environment() {
    return Map.of("STORAGE_EMULATOR_HOST", endpoint);
  }

  /** While on, every request is answered 403 with GCS's "forbidden" error. */
  public void denyAccess(boolean deny) {
    this.denyAccess = deny;
  }

  /** Answers the next {@code count} requests with {@code status} (such as 503) and GCS's error body. */
  public void failNext(int count, int status) {
    failNext(count, status, "");
  }

  /**
   * Answers the next {@code count} requests of an HTTP method (such as {@code PUT}, the chunks of
   * resumable uploads; empty for any) with {@code status} and GCS's error body.
   */
  public void failNext(int count, int status, String method) {
    this.failureStatus = status;
    this.failureMethod = method;
    this.failuresLeft.set(count);
  }

  /** The requests served so far (at most the last 20,000), oldest first. */
  public List<RecordedRequest> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** Forgets the recorded requests. */
  public void clearRequests() {
    requests.clear();
  }

  /** The bytes of an object, if it exists. */
  public Optional<byte[]> objectBytes(String bucket, String name) {
    Bucket b = buckets.get(bucket);
    StoredObject o = b == null ? null : b.objects.get(name);
    return o == null ? Optional.empty() : Optional.of(o.data.readAll());
  }

  /** The names of a bucket's objects, in GCS order. */
  public List<String> objectNames(String bucket) {
    Bucket b = buckets.get(bucket);
    return b == null ? List.of() : List.copyOf(b.objects.keySet());
  }

  /** How many resumable uploads were started and not finished. */
  public int openUploadSessions() {
    return (int) sessions.values().stream().filter(s -> s.result == null).count();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      System.err.println("GcsTestServer: could not delete " + dataDir + ": " + e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String rawPath = exchange.getRequestURI().getRawPath();
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      RecordedRequest recorded = record(exchange, method, rawPath, query);
      Body body = new Body(exchange, recorded.bodyLength);
      try {
        String failOn = failureMethod;
        if ((failOn.isEmpty() || failOn.equals(method)) && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new GcsError(failureStatus, failureStatus == 429 ? "rateLimitExceeded" : "backendError",
              "injected failure " + failureStatus);
        }
        if (denyAccess) {
          throw new GcsError(403, "forbidden",
              "anonymous-caller does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).");
        }
        route(exchange, method, rawPath, query, body);
      } catch (GcsError e) {
        sendError(exchange, e.status, e.reason, e.getMessage());
      } catch (RuntimeException e) {
        e.printStackTrace();
        sendError(exchange, 500, "internalError", "test server failure: " + e);
      }
    }
  }

  /** A request body, read whole or streamed, counting what was read. */
  private static final class Body {
    private final HttpExchange exchange;
    private final AtomicLong count;
    private InputStream in;

    Body(HttpExchange exchange, AtomicLong count) {
      this.exchange = exchange;
      this.count = count;
    }

    InputStream stream() throws IOException {
      if (in == null) {
        InputStream raw = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
          raw = new GZIPInputStream(raw);
        }
        InputStream source = raw;
        in = new java.io.FilterInputStream(source) {
          @Override
          public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
              count.incrementAndGet();
            }
            return b;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
              count.addAndGet(n);
            }
            return n;
          }
        };
      }
      return in;
    }

    byte[] bytes() throws IOException {
      return stream().readAllBytes();
    }
  }

  private RecordedRequest record(HttpExchange exchange, String method, String path, Map<String, String> query) {
    Map<String, String> headers = new LinkedHashMap<>();
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
    synchronized (requests) {
      if (requests.size() >= MAX_RECORDED) {
        requests.remove(0);
      }
      RecordedRequest r = new RecordedRequest(method, path, query, headers);
      requests.add(r);
      return r;
    }
  }

  private void route(HttpExchange ex, String method, String rawPath, Map<String, String> q, Body body)
      throws IOException, GcsError {
    List<String> seg = segments(rawPath);
    // /storage/v1/b/{bucket}[/o[/{object}]], also under /download/ for media and /upload/ for inserts.
    int base = -1;
    if (seg.size() >= 3 && seg.get(0).equals("storage") && seg.get(1).equals("v1") && seg.get(2).equals("b")) {
      base = 3;
    } else if (seg.size() >= 4 && (seg.get(0).equals("download") || seg.get(0).equals("upload"))
        && seg.get(1).equals("storage") && seg.get(2).equals("v1") && seg.get(3).equals("b")) {
      base = 4;
    }
    if (base > 0) {
      boolean upload = seg.get(0).equals("upload");
      int rest = seg.size() - base;
      if (rest == 1 && !upload && method.equals("GET")) {
        getBucket(ex, seg.get(base));
        return;
      }
      if (rest == 2 && seg.get(base + 1).equals("o")) {
        String bucket = seg.get(base);
        if (upload && method.equals("POST")) {
          insert(ex, bucket, q, body.bytes());
          return;
        }
        if (upload && method.equals("PUT") && q.containsKey("upload_id")) {
          resumablePut(ex, q.get("upload_id"), body);
          return;
        }
        if (upload && method.equals("DELETE") && q.containsKey("upload_id")) {
          sessions.remove(q.get("upload_id"));
          sendJson(ex, 499, JSON.createObjectNode());
          return;
        }
        if (!upload && method.equals("GET")) {
          list(ex, bucket, q);
          return;
        }
      }
      if (rest == 3 && seg.get(base + 1).equals("o") && !upload) {
        String bucket = seg.get(base);
        String name = seg.get(base + 2);
        if (method.equals("GET") || method.equals("HEAD")) {
          getObject(ex, bucket, name, q, method.equals("HEAD"));
          return;
        }
        if (method.equals("DELETE")) {
          deleteObject(ex, bucket, name, q);
          return;
        }
      }
    }
    String line = method + " " + ex.getRequestURI();
    System.err.println("GcsTestServer: UNSUPPORTED REQUEST " + line + " headers=" + ex.getRequestHeaders().keySet());
    throw new GcsError(501, "notImplemented", "GcsTestServer does not implement " + line);
  }

  private Bucket bucket(String name) throws GcsError {
    Bucket b = buckets.get(name);
    if (b == null) {
      throw new GcsError(404, "notFound", "The specified bucket does not exist.");
    }
    return b;
  }

  private void getBucket(HttpExchange ex, String name) throws IOException, GcsError {
    Bucket b = bucket(name);
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", "storage#bucket");
    n.put("selfLink", endpoint + "/storage/v1/b/" + b.name);
    n.put("id", b.name);
    n.put("name", b.name);
    n.put("projectNumber", "0");
    n.put("metageneration", "1");
    n.put("location", "US");
    n.put("storageClass", "STANDARD");
    n.put("etag", "CAE=");
    n.put("timeCreated", RFC3339.format(b.created));
    n.put("updated", RFC3339.format(b.created));
    sendJson(ex, 200, n);
  }

  // --- inserts ---------------------------------------------------------------------------------

  private void insert(HttpExchange ex, String bucketName, Map<String, String> q, byte[] body) throws IOException, GcsError {
    Bucket bucket = bucket(bucketName);
    String uploadType = q.getOrDefault("uploadType", "");
    String contentType = Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Type")).orElse("");
    switch (uploadType) {
      case "media" -> {
        String name = required(q, "name");
        StoredObject o = commit(bucket, name, Data.of(body), contentType.isEmpty() ? "application/octet-stream" : contentType, Map.of(), q);
        sendJson(ex, 200, objectJson(o));
      }
      case "multipart" -> {
        List<byte[][]> parts = multipart(contentType, body);
        if (parts.size() != 2) {
          throw new GcsError(400, "invalid", "multipart upload needs 2 parts (metadata, media), got " + parts.size());
        }
        JsonNode meta = parseJson(parts.get(0)[1]);
        byte[] media = parts.get(1)[1];
        String name = meta.hasNonNull("name") ? meta.get("name").asText() : required(q, "name");
        verifyHashes(meta, media);
        String type = meta.hasNonNull("contentType") ? meta.get("contentType").asText() : partContentType(parts.get(1)[0]);
        StoredObject o = commit(bucket, name, Data.of(media), type, metadataOf(meta), q);
        sendJson(ex, 200, objectJson(o));
      }
      case "resumable" -> {
        JsonNode meta = body.length == 0 ? JSON.createObjectNode() : parseJson(body);
        String name = meta.hasNonNull("name") ? meta.get("name").asText() : required(q, "name");
        String type = meta.hasNonNull("contentType") ? meta.get("contentType").asText()
            : Optional.ofNullable(ex.getRequestHeaders().getFirst("X-Upload-Content-Type")).orElse("application/octet-stream");
        Map<String, String> pre = preconditions(q);
        // GCS checks preconditions when the session starts, and again when it completes.
        checkPreconditions(bucket.objects.get(name), pre, bucketName, name);
        String id = UUID.randomUUID().toString();
        sessions.put(id, new UploadSession(bucketName, name, type, metadataOf(meta), pre, dataDir.resolve("upload-" + id)));
        ex.getResponseHeaders().set("Location",
            endpoint + "/upload/storage/v1/b/" + encode(bucketName) + "/o?uploadType=resumable&upload_id=" + id);
        ex.sendResponseHeaders(200, -1);
      }
      default -> throw new GcsError(400, "invalid", "unsupported uploadType '" + uploadType + "'");
    }
  }

  private void resumablePut(HttpExchange ex, String id, Body body) throws IOException, GcsError {
    UploadSession s = sessions.get(id);
    if (s == null) {
      throw new GcsError(404, "notFound", "No such upload session: " + id);
    }
    String range = Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Range")).orElse("").trim();
    long bodyLength = Long.parseLong(Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Length")).orElse("-1"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes (?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)").matcher(range);
    if (!range.isEmpty() && !m.matches()) {
      throw new GcsError(400, "invalid", "malformed Content-Range '" + range + "'");
    }
    synchronized (s) {
      if (s.result != null) {
        sendJson(ex, 200, objectJson(s.result));
        return;
      }
      long total;
      if (range.isEmpty()) {
        // The whole content in one PUT, without a range.
        s.append(body.stream(), 0, bodyLength >= 0 ? bodyLength : Long.MAX_VALUE);
        total = s.received;
      } else {
        total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
        if (m.group(1) != null) {
          long first = Long.parseLong(m.group(1));
          long last = Long.parseLong(m.group(2));
          long length = last - first + 1;
          if (bodyLength >= 0 && bodyLength != length) {
            throw new GcsError(400, "invalid", "Content-Range " + range + " does not match Content-Length " + bodyLength);
          }
          if (first > s.received) {
            throw new GcsError(400, "invalid",
                "Invalid request. According to the Content-Range header, the upload offset is " + first
                    + " byte(s), which exceeds already uploaded size of " + s.received + " byte(s).");
          }
          boolean finalChunk = total >= 0 && last + 1 == total;
          if (!finalChunk && length % RESUMABLE_UNIT != 0) {
            throw new GcsError(400, "invalid", "a non-final chunk must be a multiple of 262144 bytes, got " + length);
          }
          long skip = Math.min(length, s.received - first);
          s.append(body.stream(), skip, length);
        } else if (body.bytes().length != 0) {
          throw new GcsError(400, "invalid", "Content-Range " + range + " with a non-empty body");
        }
      }
      if (total >= 0 && s.received > total) {
        throw new GcsError(400, "invalid", "received " + s.received + " bytes, more than the declared total " + total);
      }
      if (total >= 0 && s.received == total) {
        sessions.remove(id);
        s.result = commit(bucket(s.bucket), s.name, s.data(), s.contentType, s.metadata, s.preconditions);
        sendJson(ex, 200, objectJson(s.result));
        return;
      }
      if (s.received > 0) {
        ex.getResponseHeaders().set("Range", "bytes=0-" + (s.received - 1));
      }
      ex.sendResponseHeaders(308, -1);
    }
  }

  private StoredObject commit(Bucket bucket, String name, Data data, String contentType, Map<String, String> metadata, Map<String, String> q)
      throws GcsError {
    if (name.isEmpty()) {
      throw new GcsError(400, "required", "Required: object name");
    }
    Map<String, String> pre = preconditions(q);
    StoredObject replaced;
    StoredObject o;
    // One lock per bucket makes check-then-put atomic: the whole point of ifGenerationMatch=0.
    synchronized (bucket) {
      StoredObject existing = bucket.objects.get(name);
      try {
        checkPreconditions(existing, pre, bucket.name, name);
      } catch (GcsError e) {
        data.discard();
        throw e;
      }
      o = new StoredObject(bucket.name, name, data, generations.incrementAndGet(), contentType, metadata);
      replaced = bucket.objects.put(name, o);
    }
    if (replaced != null) {
      replaced.data.discard();
    }
    return o;
  }

  private static Map<String, String> preconditions(Map<String, String> q) {
    Map<String, String> pre = new LinkedHashMap<>();
    for (String k : List.of("ifGenerationMatch", "ifGenerationNotMatch", "ifMetagenerationMatch", "ifMetagenerationNotMatch")) {
      if (q.containsKey(k)) {
        pre.put(k, q.get(k));
      }
    }
    return pre;
  }

  private static void checkPreconditions(StoredObject existing, Map<String, String> pre, String bucket, String name) throws GcsError {
    String failed = null;
    for (Map.Entry<String, String> e : pre.entrySet()) {
      long v;
      try {
        v = Long.parseLong(e.getValue());
      } catch (NumberFormatException x) {
        throw new GcsError(400, "invalid", "Invalid value for " + e.getKey() + ": " + e.getValue());
      }
      boolean ok =
          switch (e.getKey()) {
            case "ifGenerationMatch" -> existing == null ? v == 0 : existing.generation == v;
            case "ifGenerationNotMatch" -> existing == null || existing.generation != v;
            case "ifMetagenerationMatch" -> existing != null && existing.metageneration == v;
            case "ifMetagenerationNotMatch" -> existing == null || existing.metageneration != v;
            default -> true;
          };
      if (!ok) {
        failed = e.getKey();
      }
    }
    if (failed != null) {
      throw new GcsError(412, "conditionNotMet",
          "At least one of the pre-conditions you specified did not hold. (" + failed + " on " + bucket + "/" + name + ")");
    }
  }

  private static void verifyHashes(JsonNode meta, byte[] media) throws GcsError {
    if (meta.hasNonNull("crc32c")) {
      String actual = crc32c(media);
      if (!actual.equals(meta.get("crc32c").asText())) {
        throw new GcsError(400, "invalid",
            "Provided CRC32C \"" + meta.get("crc32c").asText() + "\" doesn't match calculated CRC32C \"" + actual + "\".");
      }
    }
    if (meta.hasNonNull("md5Hash")) {
      String actual = md5(media);
      if (!actual.equals(meta.get("md5Hash").asText())) {
        throw new GcsError(400, "invalid",
            "Provided MD5 hash \"" + meta.get("md5Hash").asText() + "\" doesn't match calculated MD5 hash \"" + actual + "\".");
      }
    }
  }

  private static Map<String, String> metadataOf(JsonNode meta) {
    Map<String, String> m = new LinkedHashMap<>();
    JsonNode md = meta.get("metadata");
    if (md != null && md.isObject()) {
      md.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    }
    return m;
  }

  /** Parts of a multipart/related body, each as {headers, content}. */
  private static List<byte[][]> multipart(String contentType, byte[] body) throws GcsError {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
    if (!m.find()) {
      throw new GcsError(400, "invalid", "multipart upload without a boundary in Content-Type '" + contentType + "'");
    }
    byte[] delimiter = ("--" + m.group(1)).getBytes(StandardCharsets.ISO_8859_1);
    List<byte[][]> parts = new ArrayList<>();
    int pos = indexOf(body, delimiter, 0);
    if (pos < 0) {
      throw new GcsError(400, "invalid", "multipart body without its boundary");
    }
    while (true) {
      int after = pos + delimiter.length;
      if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
        break;
      }
      int headersStart = after + 2; // CRLF after the delimiter
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
      if (headersEnd < 0) {
        throw new GcsError(400, "invalid", "multipart part without headers");
      }
      byte[] crlfDelimiter = new byte[delimiter.length + 2];
      crlfDelimiter[0] = '\r';
      crlfDelimiter[1] = '\n';
      System.arraycopy(delimiter, 0, crlfDelimiter, 2, delimiter.length);
      int next = indexOf(body, crlfDelimiter, headersEnd + 4);
      if (next < 0) {
        throw new GcsError(400, "invalid", "multipart part without a closing boundary");
      }
      parts.add(new byte[][] {
          Arrays.copyOfRange(body, headersStart, headersEnd), Arrays.copyOfRange(body, headersEnd + 4, next)});
      pos = next + 2;
    }
    return parts;
  }

  private static String partContentType(byte[] headers) {
    for (String line : new String(headers, StandardCharsets.ISO_8859_1).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-type")) {
        return line.substring(colon + 1).trim();
      }
    }
    return "application/octet-stream";
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  // --- reads -----------------------------------------------------------------------------------

  private void getObject(HttpExchange ex, String bucketName, String name, Map<String, String> q, boolean head) throws IOException, GcsError {
    Bucket bucket = bucket(bucketName);
    StoredObject o = bucket.objects.get(name);
    if (o == null || (q.containsKey("generation") && !q.get("generation").equals(Long.toString(o.generation)))) {
      throw new GcsError(404, "notFound", "No such object: " + bucketName + "/" + name);
    }
    checkPreconditions(o, preconditions(q), bucketName, name);
    if (!"media".equals(q.get("alt"))) {
      sendJson(ex, 200, objectJson(o));
      return;
    }
    long size = o.data.size;
    long first = 0;
    long last = size - 1;
    int status = 200;
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null && !range.isBlank()) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes=(\\d*)-(\\d*)").matcher(range.trim());
      if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
        throw new GcsError(400, "invalid", "malformed Range '" + range + "'");
      }
      if (m.group(1).isEmpty()) {
        first = Math.max(0, size - Long.parseLong(m.group(2)));
      } else {
        first = Long.parseLong(m.group(1));
        if (!m.group(2).isEmpty()) {
          last = Math.min(last, Long.parseLong(m.group(2)));
        }
      }
      if (first >= size) {
        ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
        throw new GcsError(416, "requestedRangeNotSatisfiable", "The requested range cannot be satisfied.");
      }
      status = 206;
      ex.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + size);
    }
    Headers h = ex.getResponseHeaders();
    h.set("Content-Type", o.contentType);
    h.set("Accept-Ranges", "bytes");
    h.set("ETag", "\"" + etag(o) + "\"");
    h.set("x-goog-generation", Long.toString(o.generation));
    h.set("x-goog-metageneration", Long.toString(o.metageneration));
    h.set("x-goog-stored-content-length", Long.toString(size));
    h.set("x-goog-stored-content-encoding", "identity");
    h.add("x-goog-hash", "crc32c=" + o.data.crc32c);
    h.add("x-goog-hash", "md5=" + o.data.md5);
    long length = size == 0 ? 0 : last - first + 1;
    if (head) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, length == 0 ? -1 : length);
    try (OutputStream out = ex.getResponseBody(); InputStream in = o.data.open(first)) {
      byte[] buffer = new byte[64 * 1024];
      long left = length;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          break;
        }
        out.write(buffer, 0, n);
        left -= n;
      }
    }
  }

  private void list(HttpExchange ex, String bucketName, Map<String, String> q) throws IOException, GcsError {
    Bucket bucket = bucket(bucketName);
    for (String unsupported : List.of("matchGlob", "versions", "softDeleted")) {
      if (q.containsKey(unsupported) && !q.get(unsupported).equals("false")) {
        throw new GcsError(501, "notImplemented", "GcsTestServer does not implement list parameter " + unsupported);
      }
    }
    String prefix = q.getOrDefault("prefix", "");
    String delimiter = q.getOrDefault("delimiter", "");
    int max = MAX_LIST_RESULTS;
    if (q.containsKey("maxResults")) {
      max = (int) Math.min(MAX_LIST_RESULTS, Math.max(1, Long.parseLong(q.get("maxResults"))));
    }
    String endOffset = q.get("endOffset");
    var objects = bucket.objects;
    String cursor;
    boolean inclusive;
    if (q.containsKey("pageToken") && !q.get("pageToken").isEmpty()) {
      cursor = new String(Base64.getUrlDecoder().decode(q.get("pageToken")), StandardCharsets.UTF_8);
      inclusive = false;
    } else {
      String start = q.getOrDefault("startOffset", "");
      cursor = objects.comparator().compare(start, prefix) > 0 ? start : prefix;
      inclusive = true;
    }
    ArrayNode items = JSON.createArrayNode();
    Set<String> prefixes = new LinkedHashSet<>();
    int count = 0;
    String lastConsumed = null;
    String key = inclusive ? objects.ceilingKey(cursor) : objects.higherKey(cursor);
    boolean more = false;
    while (key != null) {
      if (!key.startsWith(prefix) || (endOffset != null && objects.comparator().compare(key, endOffset) >= 0)) {
        break;
      }
      if (count == max) {
        more = true;
        break;
      }
      int d = delimiter.isEmpty() ? -1 : key.indexOf(delimiter, prefix.length());
      if (d >= 0) {
        String p = key.substring(0, d + delimiter.length());
        prefixes.add(p);
        count++;
        // Everything under this prefix is summarised by it; skip to the first key past it.
        String k = key;
        while (k != null && k.startsWith(p)) {
          lastConsumed = k;
          k = objects.higherKey(k);
        }
        key = k;
        continue;
      }
      StoredObject o = objects.get(key);
      if (o != null) {
        items.add(objectJson(o));
        count++;
      }
      lastConsumed = key;
      key = objects.higherKey(key);
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", "storage#objects");
    if (more && lastConsumed != null) {
      n.put("nextPageToken", Base64.getUrlEncoder().withoutPadding().encodeToString(lastConsumed.getBytes(StandardCharsets.UTF_8)));
    }
    if (!prefixes.isEmpty()) {
      ArrayNode pa = n.putArray("prefixes");
      prefixes.forEach(pa::add);
    }
    if (!items.isEmpty()) {
      n.set("items", items);
    }
    sendJson(ex, 200, n);
  }

  private void deleteObject(HttpExchange ex, String bucketName, String name, Map<String, String> q) throws IOException, GcsError {
    Bucket bucket = bucket(bucketName);
    synchronized (bucket) {
      StoredObject o = bucket.objects.get(name);
      if (o == null || (q.containsKey("generation") && !q.get("generation").equals(Long.toString(o.generation)))) {
        throw new GcsError(404, "notFound", "No such object: " + bucketName + "/" + name);
      }
      checkPreconditions(o, preconditions(q), bucketName, name);
      bucket.objects.remove(name);
      o.data.discard();
    }
    ex.sendResponseHeaders(204, -1);
  }

  // --- JSON and HTTP helpers -------------------------------------------------------------------

  private ObjectNode objectJson(StoredObject o) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", "storage#object");
    n.put("id", o.bucket + "/" + o.name + "/" + o.generation);
    n.put("selfLink", endpoint + "/storage/v1/b/" + encode(o.bucket) + "/o/" + encode(o.name));
    n.put("mediaLink", endpoint + "/download/storage/v1/b/" + encode(o.bucket) + "/o/" + encode(o.name)
        + "?generation=" + o.generation + "&alt=media");
    n.put("name", o.name);
    n.put("bucket", o.bucket);
    n.put("generation", Long.toString(o.generation));
    n.put("metageneration", Long.toString(o.metageneration));
    n.put("contentType", o.contentType);
    n.put("storageClass", "STANDARD");
    n.put("size", Long.toString(o.data.size));
    n.put("md5Hash", o.data.md5);
    n.put("crc32c", o.data.crc32c);
    n.put("etag", etag(o));
    String t = RFC3339.format(o.created);
    n.put("timeCreated", t);
    n.put("updated", t);
    n.put("timeStorageClassUpdated", t);
    if (!o.metadata.isEmpty()) {
      ObjectNode md = n.putObject("metadata");
      o.metadata.forEach(md::put);
    }
    return n;
  }

  private static String etag(StoredObject o) {
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).putLong(o.generation).array());
  }

  private static String crc32c(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return encodeCrc(crc.getValue());
  }

  private static String encodeCrc(long value) {
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) value).array());
  }

  private static String md5(byte[] data) {
    return Base64.getEncoder().encodeToString(md5Digest().digest(data));
  }

  private static MessageDigest md5Digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sendJson(HttpExchange ex, int status, JsonNode node) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(node);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sendError(HttpExchange ex, int status, String reason, String message) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", status);
    error.put("message", message);
    ObjectNode detail = error.putArray("errors").addObject();
    detail.put("message", message);
    detail.put("domain", "global");
    detail.put("reason", reason);
    sendJson(ex, status, root);
  }

  private static JsonNode parseJson(byte[] bytes) throws GcsError {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new GcsError(400, "parseError", "Parse Error: " + e.getMessage());
    }
  }

  private static String required(Map<String, String> q, String name) throws GcsError {
    String v = q.get(name);
    if (v == null || v.isEmpty()) {
      throw new GcsError(400, "required", "Required parameter: " + name);
    }
    return v;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      q.put(k, v);
    }
    return q;
  }

  /** Path segments, each percent-decoded ('+' stays '+': this is a path, not a form). */
  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(percentDecode(s));
      }
    }
    return out;
  }

  private static String percentDecode(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int i = 0;
    while (i < s.length()) {
      int c = s.codePointAt(i);
      if (c == '%' && i + 2 < s.length()) {
        bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 3;
      } else {
        byte[] b = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
        i += Character.charCount(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Runs a server until killed, for trying the CLI by hand: {@code [port] [bucket...]}. Prints
   * the endpoint.
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    GcsTestServer server = start(port);
    for (int i = 1; i < args.length; i++) {
      server.createBucket(args[i]);
    }
    System.out.println("STORAGE_EMULATOR_HOST=" + server.endpoint());
    Thread.currentThread().join();
  }
}
