package dev.ama.cli;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Just enough of the S3 HTTP API, in memory on the loopback address, for {@link AotTraining} to
 * run the S3 commands: so that a JDK 25 AOT cache holds the AWS SDK's classes and profiles too,
 * which a command on an S3 store otherwise loads from some 20 jars at every start (a cold {@code
 * ama ls} on S3Proxy took 1.5 s without them and 0.7 s with them).
 *
 * <p>Path-style addressing of one bucket; objects put (create-only with {@code If-None-Match: *}),
 * read whole or by range (with {@code If-Match}), headed, deleted and listed (ListObjectsV2 with
 * prefix, start-after and continuation). Requests are not authenticated and multipart uploads are
 * refused: nothing but the training talks to it, with small files, and it lives only as long as
 * the training does. It is not an S3 server for anything else.
 */
final class TrainingS3Endpoint implements AutoCloseable {
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final int MAX_KEYS = 1000;

  private record StoredObject(byte[] bytes, String eTag, Instant modified) {}

  private final NavigableMap<String, StoredObject> objects = new ConcurrentSkipListMap<>();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "ama-training-s3");
    t.setDaemon(true);
    return t;
  });

  private TrainingS3Endpoint(HttpServer server) {
    this.server = server;
  }

  /** Starts serving on a free port of the loopback address. */
  static TrainingS3Endpoint start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    TrainingS3Endpoint endpoint = new TrainingS3Endpoint(server);
    server.createContext("/", endpoint::handle);
    server.setExecutor(endpoint.executor);
    server.start();
    return endpoint;
  }

  /** The endpoint's address, such as {@code http://127.0.0.1:40123}. */
  URI uri() {
    InetSocketAddress address = server.getAddress();
    return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      // The decoded path: a key may hold '+', which form decoding would turn into a space.
      String path = exchange.getRequestURI().getPath();
      int slash = path.indexOf('/', 1);
      String key = slash < 0 ? "" : path.substring(slash + 1);
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      String method = exchange.getRequestMethod();
      if (key.isEmpty()) {
        if (method.equals("HEAD")) {
          exchange.sendResponseHeaders(200, -1);
        } else if (method.equals("GET") && "2".equals(query.get("list-type"))) {
          list(exchange, query);
        } else {
          error(exchange, 501, "NotImplemented", method + " on the bucket");
        }
        return;
      }
      switch (method) {
        case "PUT" -> put(exchange, key, query);
        case "GET", "HEAD" -> get(exchange, key, method.equals("HEAD"));
        case "DELETE" -> {
          objects.remove(key);
          exchange.sendResponseHeaders(204, -1);
        }
        default -> error(exchange, 501, "NotImplemented", method + " " + key);
      }
    }
  }

  private void put(HttpExchange exchange, String key, Map<String, String> query) throws IOException {
    if (query.containsKey("uploadId") || query.containsKey("partNumber")) {
      error(exchange, 501, "NotImplemented", "multipart uploads");
      return;
    }
    Headers headers = exchange.getRequestHeaders();
    byte[] body = exchange.getRequestBody().readAllBytes();
    String contentSha256 = headers.getFirst("x-amz-content-sha256");
    if (contentSha256 != null && contentSha256.startsWith("STREAMING-")) {
      body = decodeAwsChunked(body);
    }
    StoredObject object = new StoredObject(body, "\"" + md5(body) + "\"", Instant.now().truncatedTo(ChronoUnit.SECONDS));
    if ("*".equals(headers.getFirst("If-None-Match"))) {
      if (objects.putIfAbsent(key, object) != null) {
        error(exchange, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
        return;
      }
    } else {
      objects.put(key, object);
    }
    exchange.getResponseHeaders().set("ETag", object.eTag());
    exchange.sendResponseHeaders(200, -1);
  }

  private void get(HttpExchange exchange, String key, boolean head) throws IOException {
    StoredObject object = objects.get(key);
    if (object == null) {
      if (head) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        error(exchange, 404, "NoSuchKey", "The specified key does not exist.");
      }
      return;
    }
    String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
    if (ifMatch != null && !ifMatch.equals(object.eTag())) {
      error(exchange, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
      return;
    }
    byte[] bytes = object.bytes();
    int from = 0;
    int to = bytes.length - 1;
    int status = 200;
    String range = exchange.getRequestHeaders().getFirst("Range");
    if (range != null && range.startsWith("bytes=") && !head) {
      String[] ends = range.substring("bytes=".length()).split("-", 2);
      if (ends[0].isEmpty()) {
        from = Math.max(0, bytes.length - Integer.parseInt(ends[1]));
      } else {
        from = Integer.parseInt(ends[0]);
        to = ends[1].isEmpty() ? bytes.length - 1 : Math.min(Integer.parseInt(ends[1]), bytes.length - 1);
      }
      if (from >= bytes.length) {
        exchange.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
        error(exchange, 416, "InvalidRange", "The requested range is not satisfiable");
        return;
      }
      status = 206;
      exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + bytes.length);
    }
    Headers out = exchange.getResponseHeaders();
    out.set("ETag", object.eTag());
    out.set("Last-Modified", HTTP_DATE.format(object.modified()));
    out.set("Content-Type", "application/octet-stream");
    int length = Math.max(0, to - from + 1);
    if (head) {
      out.set("Content-Length", Integer.toString(bytes.length));
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
    try (OutputStream body = exchange.getResponseBody()) {
      body.write(bytes, from, length);
    }
  }

  private void list(HttpExchange exchange, Map<String, String> query) throws IOException {
    String prefix = query.getOrDefault("prefix", "");
    String after = query.getOrDefault("continuation-token", query.getOrDefault("start-after", ""));
    int max = Math.max(1, Math.min(MAX_KEYS, Integer.parseInt(query.getOrDefault("max-keys", "" + MAX_KEYS))));
    StringBuilder contents = new StringBuilder();
    int count = 0;
    String last = null;
    boolean truncated = false;
    for (Map.Entry<String, StoredObject> e : objects.tailMap(after, false).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        if (e.getKey().compareTo(prefix) > 0) {
          break;
        }
        continue;
      }
      if (count == max) {
        truncated = true;
        break;
      }
      StoredObject o = e.getValue();
      contents.append("<Contents><Key>").append(xml(e.getKey())).append("</Key><LastModified>")
          .append(DateTimeFormatter.ISO_INSTANT.format(o.modified())).append("</LastModified><ETag>")
          .append(xml(o.eTag())).append("</ETag><Size>").append(o.bytes().length)
          .append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
      count++;
      last = e.getKey();
    }
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>training</Name><Prefix>"
        + xml(prefix) + "</Prefix><KeyCount>" + count + "</KeyCount><MaxKeys>" + max + "</MaxKeys><IsTruncated>"
        + truncated + "</IsTruncated>"
        + (truncated ? "<NextContinuationToken>" + xml(last) + "</NextContinuationToken>" : "")
        + contents + "</ListBucketResult>";
    send(exchange, 200, xml);
  }

  private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
    send(exchange, status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>"
        + xml(message) + "</Message></Error>");
  }

  private static void send(HttpExchange exchange, int status, String xml) throws IOException {
    if (exchange.getRequestMethod().equals("HEAD")) {
      // A HEAD response has no body, errors included.
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/xml");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream body = exchange.getResponseBody()) {
      body.write(bytes);
    }
  }

  /**
   * The payload of an {@code aws-chunked} body: chunks of {@code <hex size>;chunk-signature=...}
   * CRLF, the bytes, CRLF, up to a chunk of size 0 (and trailers, ignored).
   */
  static byte[] decodeAwsChunked(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    int i = 0;
    while (i < body.length) {
      int lineEnd = indexOfCrlf(body, i);
      if (lineEnd < 0) {
        throw new IOException("aws-chunked body without a chunk header at byte " + i);
      }
      String header = new String(body, i, lineEnd - i, StandardCharsets.US_ASCII);
      int semicolon = header.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? header : header.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        break;
      }
      int start = lineEnd + 2;
      if (start + size > body.length) {
        throw new IOException("aws-chunked body ends inside a chunk of " + size + " bytes");
      }
      out.write(body, start, size);
      i = start + size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOfCrlf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.put(name, value);
    }
    return query;
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String md5(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }
}
