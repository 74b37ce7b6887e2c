package dev.ama.examples.http;

import dev.ama.internal.BoundedInputStream;
import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.StorageKeys;
import dev.ama.spi.UnsupportedStorageOperationException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A read-only store served by a plain web server or CDN that mirrors a store folder: {@code
 * stat} is {@code HEAD}, {@code open} is {@code GET}, ranged reads send {@code Range}. It can
 * neither write nor list, which is all serving needs: AMA resolves aliases from their {@code
 * HEAD} hint and by probing alias log entries with {@code stat}.
 *
 * <p>Written only against the public SPI and {@code java.net.http}, as any user could.
 */
public final class HttpMirrorStorage implements Storage {
  private final URI base;
  private final HttpClient http;

  /** A mirror whose store root is {@code base} (an {@code http} or {@code https} URI). */
  public HttpMirrorStorage(URI base) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b : b + "/");
    this.http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  @Override
  public String location() {
    return base.toString();
  }

  @Override
  public Set<StorageCapability> capabilities() {
    return EnumSet.noneOf(StorageCapability.class);
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    HttpResponse<Void> r = send(request(key, "HEAD"), HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    check(r, key);
    long size = r.headers().firstValueAsLong("Content-Length").orElseThrow(() -> new IOException(
        "HEAD " + url(key) + " returned no Content-Length; configure the web server to send it"));
    return Optional.of(new ObjectInfo(key, size, lastModified(r)));
  }

  private static Instant lastModified(HttpResponse<?> r) {
    try {
      return r.headers().firstValue("Last-Modified")
          .map(d -> ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
          .orElseGet(Instant::now);
    } catch (DateTimeParseException e) {
      return Instant.now(); // an unknown age looks young, the safe side for garbage collection
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    HttpResponse<InputStream> r = send(request(key, "GET"), HttpResponse.BodyHandlers.ofInputStream());
    return body(r, key);
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    StorageKeys.checkRange(offset, length);
    if (length == 0) { // HTTP cannot ask for zero bytes
      long size = stat(key).orElseThrow(() -> new ObjectNotFoundException(location(), key)).size();
      return emptyAt(offset, size, key);
    }
    long last = offset + length - 1 < offset ? Long.MAX_VALUE : offset + length - 1;
    HttpRequest req = HttpRequest.newBuilder(url(key)).GET()
        .header("Range", "bytes=" + offset + "-" + (last == Long.MAX_VALUE ? "" : last)).build();
    HttpResponse<InputStream> r = send(req, HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() == 416) { // the range starts at or after the end
      r.body().close();
      long size = stat(key).orElseThrow(() -> new ObjectNotFoundException(location(), key)).size();
      return emptyAt(offset, size, key);
    }
    InputStream in = body(r, key);
    if (r.statusCode() == 200) { // the server ignored Range: skip to the offset ourselves
      try {
        in.skipNBytes(offset);
      } catch (IOException e) {
        in.close();
        throw e;
      }
    }
    return BoundedInputStream.limit(in, length);
  }

  private InputStream emptyAt(long offset, long size, String key) throws EOFException {
    if (offset > size) {
      throw new EOFException("offset " + offset + " is beyond the end of " + url(key) + " (" + size + " bytes)");
    }
    return InputStream.nullInputStream();
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
    throw new UnsupportedStorageOperationException("cannot list '" + prefix + "' in " + location()
        + ": a plain web server cannot list; list the store it mirrors instead");
  }

  @Override
  public PutOutcome putIfAbsent(String key, Content content) throws IOException {
    throw readOnly(key);
  }

  @Override
  public void put(String key, Content content) throws IOException {
    throw readOnly(key);
  }

  @Override
  public boolean delete(String key) throws IOException {
    throw readOnly(key);
  }

  private UnsupportedStorageOperationException readOnly(String key) {
    StorageKeys.check(key);
    return new UnsupportedStorageOperationException("cannot write " + key + " to " + location()
        + ": it is a read-only HTTP mirror; write to the store it mirrors instead");
  }

  /** The URL of a key: each segment percent-encoded as UTF-8, so spaces and accents survive. */
  URI url(String key) {
    String path = Stream.of(StorageKeys.check(key).split("/"))
        .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("/"));
    return base.resolve(path);
  }

  private HttpRequest request(String key, String method) {
    return HttpRequest.newBuilder(url(key)).method(method, HttpRequest.BodyPublishers.noBody()).build();
  }

  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
    try {
      return http.send(req, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted during " + req.method() + " " + req.uri());
    } catch (IOException e) {
      throw new IOException("cannot reach " + req.uri() + " (" + e + "); check that the mirror is up", e);
    }
  }

  private InputStream body(HttpResponse<InputStream> r, String key) throws IOException {
    if (r.statusCode() != 200 && r.statusCode() != 206) {
      r.body().close();
      if (r.statusCode() == 404) {
        throw new ObjectNotFoundException(location(), key);
      }
      check(r, key);
    }
    return r.body();
  }

  private void check(HttpResponse<?> r, String key) throws IOException {
    if (r.statusCode() != 200 && r.statusCode() != 206) {
      throw new IOException(r.request().method() + " " + url(key) + " returned HTTP " + r.statusCode()
          + "; check that the mirror serves the store folder and allows anonymous reads");
    }
  }

  @Override
  public String toString() {
    return "HttpMirrorStorage[" + base + "]";
  }
}
