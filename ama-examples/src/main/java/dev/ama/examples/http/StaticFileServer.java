package dev.ama.examples.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal static web server over a folder, standing in for the web server or CDN that mirrors a
 * store: {@code GET} and {@code HEAD} with {@code Content-Length} and {@code Last-Modified}, and
 * single {@code Range} requests. It listens on 127.0.0.1 on a free port; close it to stop it.
 */
public final class StaticFileServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  private final Path root;
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicLong requests = new AtomicLong();

  private StaticFileServer(Path root) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "static-file-server-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Serves {@code root} on a free port of 127.0.0.1. */
  public static StaticFileServer serve(Path root) throws IOException {
    return new StaticFileServer(root);
  }

  /** The base URI of the served folder, such as {@code http://127.0.0.1:50123/}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** How many requests the server has answered, so a test can tell that a read went over HTTP. */
  public long requestCount() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try {
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        ex.sendResponseHeaders(405, -1);
        return;
      }
      Path file = resolve(ex.getRequestURI().getPath());
      if (file == null || !Files.isRegularFile(file)) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      long size = Files.size(file);
      long from = 0;
      long to = size - 1;
      int status = 200;
      Matcher m = RANGE.matcher(String.valueOf(ex.getRequestHeaders().getFirst("Range")));
      if (m.matches() && validRange(m.group(1), m.group(2))) {
        if (m.group(1).isEmpty()) { // suffix range: the last N bytes
          from = Math.max(0, size - Long.parseLong(m.group(2)));
        } else {
          from = Long.parseLong(m.group(1));
          to = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
        }
        if (from >= size) {
          ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
          ex.sendResponseHeaders(416, -1);
          return;
        }
        status = 206;
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
      }
      long length = Math.max(0, to - from + 1);
      ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
      ex.getResponseHeaders().set("Accept-Ranges", "bytes");
      ex.getResponseHeaders().set("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(
          Files.getLastModifiedTime(file).toInstant().atOffset(ZoneOffset.UTC)));
      if (method.equals("HEAD")) {
        ex.getResponseHeaders().set("Content-Length", Long.toString(length));
        ex.sendResponseHeaders(status, -1);
        return;
      }
      // -1 means "no body"; 0 would mean chunked encoding of unknown length.
      ex.sendResponseHeaders(status, length == 0 ? -1 : length);
      try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
        ch.position(from);
        InputStream in = Channels.newInputStream(ch);
        OutputStream out = ex.getResponseBody();
        byte[] buf = new byte[64 * 1024];
        for (long left = length; left > 0; ) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            break;
          }
          out.write(buf, 0, n);
          left -= n;
        }
      }
    } finally {
      ex.close();
    }
  }

  private static boolean validRange(String first, String last) {
    if (first.isEmpty() || last.isEmpty()) {
      return !(first.isEmpty() && last.isEmpty());
    }
    return Long.parseLong(first) <= Long.parseLong(last); // otherwise ignored, as RFC 9110 says
  }

  /** The file for a decoded request path, or null if it would leave the folder. */
  private Path resolve(String path) {
    Path p = root;
    for (String segment : path.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      if (segment.equals("..") || segment.equals(".") || segment.contains("\\")) {
        return null;
      }
      p = p.resolve(segment);
    }
    return p.normalize().startsWith(root) ? p : null;
  }
}
