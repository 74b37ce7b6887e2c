package dev.ama.examples.serving;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ama.AssetClient;
import dev.ama.AssetWatch;
import dev.ama.LoadedAsset;
import dev.ama.NotFoundException;
import dev.ama.WatchOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model server that follows an alias without a restart: it serves with an {@link AssetWatch},
 * so when {@code prod} moves, the new version is fetched, verified and checked in the background
 * and swapped in between two requests.
 *
 * <ul>
 *   <li>{@code GET /version}: the version served now, one line ({@code sha256:<hex>}), plus
 *       {@code stale} when it was served from the cache because the store is unreachable.
 *   <li>{@code GET /files/<path>}: a file of the version served now, with the version in the
 *       {@code X-Ama-Version} header. The request holds the version ({@link AssetWatch#acquire()})
 *       until the response is written, so a swap in the middle never takes its file away.
 * </ul>
 *
 * <p>Run: {@code ModelServer STORE TYPE ALIAS [PORT] [POLL_SECONDS]}, then {@code curl
 * localhost:8080/version}.
 */
public final class ModelServer implements AutoCloseable {
  private final AssetWatch watch;
  private final HttpServer server;
  private final ExecutorService executor;

  private ModelServer(AssetWatch watch, int port) throws IOException {
    this.watch = watch;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "model-server-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/version", this::version);
    server.createContext("/files/", this::file);
    server.start();
  }

  /**
   * Loads the version the alias points at now and starts serving it on 127.0.0.1.
   *
   * @param port the port, or 0 for a free one
   * @param options how to follow the alias: poll interval, check, listeners
   */
  public static ModelServer start(AssetClient client, String type, String alias, WatchOptions options, int port)
      throws IOException {
    AssetWatch watch = client.watch(type, alias, options);
    try {
      return new ModelServer(watch, port);
    } catch (IOException | RuntimeException e) {
      watch.close();
      throw e;
    }
  }

  /** The server's base URI, such as {@code http://127.0.0.1:50123/}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** The watch serving the requests. */
  public AssetWatch watch() {
    return watch;
  }

  private void version(HttpExchange ex) throws IOException {
    // The hot path: one volatile read, no request to the store.
    LoadedAsset served = watch.current();
    respond(ex, 200, served.version() + (served.stale() ? " stale" : "") + "\n");
  }

  private void file(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath().substring("/files/".length());
    try (LoadedAsset held = watch.acquire()) {
      Path f;
      try {
        f = held.file(path);
      } catch (NotFoundException e) {
        respond(ex, 404, e.getMessage() + "\n");
        return;
      }
      ex.getResponseHeaders().set("X-Ama-Version", held.version().toString());
      ex.sendResponseHeaders(200, Files.size(f));
      try (OutputStream out = ex.getResponseBody()) {
        Files.copy(f, out);
      }
    } catch (IllegalStateException closed) {
      respond(ex, 503, "shutting down\n");
    }
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops the server, then the watch (releasing its holds). */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    watch.close();
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: ModelServer STORE TYPE ALIAS [PORT] [POLL_SECONDS]");
      System.exit(2);
    }
    int port = args.length > 3 ? Integer.parseInt(args[3]) : 8080;
    Duration poll = Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 30);
    AssetClient client = AssetClient.builder().store(args[0]).build();
    WatchOptions options = WatchOptions.defaults().pollInterval(poll).listener(new AssetWatch.Listener() {
      @Override
      public void moved(LoadedAsset from, LoadedAsset to) {
        System.err.println("now serving " + to.version() + " (was " + from.version() + ")");
      }

      @Override
      public void moveFailed(AssetWatch.MoveFailure failure) {
        System.err.println("still serving the old version: " + failure.message());
      }
    });
    ModelServer server = start(client, args[1], args[2], options, port);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      client.close();
    }));
    System.err.println("serving " + args[1] + "/" + args[2] + " " + server.watch().current().version() + " at "
        + server.uri() + " (polling every " + poll.toSeconds() + " s)");
  }
}
