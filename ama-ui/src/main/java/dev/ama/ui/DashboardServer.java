package dev.ama.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ama.AmaException;
import dev.ama.AssetClient;
import dev.ama.InvalidInputException;
import dev.ama.NotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The read-only dashboard over a store, served on the loopback interface only, behind a random
 * access token: any request without it, to any path, gets 401 and no data, so other users of the
 * machine cannot read the store through it. The token is given once in the URL {@link #uri()}
 * (as Jupyter does); the first page turns it into a cookie and drops it from the address bar.
 * Programs may send it as {@code Authorization: Bearer <token>} instead.
 *
 * <pre>{@code
 * try (DashboardServer ui = DashboardServer.start(client, 0)) {
 *   System.out.println(ui.uri());
 *   ...
 * }
 * }</pre>
 *
 * <p>The server only reads through the client's query API; it never moves an alias or writes to
 * the store. Closing it stops the server; the client stays open, and is the caller's to close.
 */
public final class DashboardServer implements AutoCloseable {
  static final String COOKIE = "ama_token";
  /** Scripts, styles and requests from the dashboard itself only; no inline script, no framing. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final Pattern ENDPOINT = Pattern.compile("[a-z]{1,32}");
  private static final int THREADS = 4;
  private static final String NODELAY = "sun.net.httpserver.nodelay";

  private final HttpServer server;
  private final ExecutorService executor;
  private final AccessToken token;
  private final Routes routes;
  private final Set<String> hosts;

  private DashboardServer(HttpServer server, ExecutorService executor, AccessToken token, Routes routes) {
    this.server = server;
    this.executor = executor;
    this.token = token;
    this.routes = routes;
    int port = server.getAddress().getPort();
    // What a browser sends for the printed URL or a loopback name; any other Host is a page on some
    // other site that renamed itself to 127.0.0.1 (DNS rebinding), refused whatever its cookie.
    this.hosts = Set.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port);
  }

  /**
   * Starts the dashboard on {@code 127.0.0.1}, on {@code port} or, if it is 0, on a free port.
   *
   * @throws InvalidInputException if the port is in use or out of range; the message says which
   *     and how to choose another
   */
  public static DashboardServer start(AssetClient client, int port) {
    Objects.requireNonNull(client, "client");
    if (port < 0 || port > 65535) {
      throw new InvalidInputException("port " + port + " is not a TCP port; give one from 1 to 65535, or 0 for a free one");
    }
    // The JDK's server writes a response's headers and body separately; with Nagle's algorithm
    // on, the body then waits for the client's delayed ACK, adding about 40 ms to every answer.
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (BindException e) {
      throw new InvalidInputException("port " + port + " on 127.0.0.1 is in use by another program; choose another with"
          + " --port N, or --port 0 for a free one", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a server socket on 127.0.0.1:" + port, e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "ama-ui-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    DashboardServer ui = new DashboardServer(server, executor, AccessToken.random(), new Routes(new Api(client)));
    server.createContext("/", ui::handle);
    server.setExecutor(executor);
    server.start();
    return ui;
  }

  /** The address to open, with the access token: {@code http://127.0.0.1:PORT/?token=...}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + port() + "/?token=" + token.value());
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops the server: requests being answered may finish for up to a second. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "DashboardServer[http://127.0.0.1:" + port() + "/]";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Headers headers = exchange.getResponseHeaders();
      headers.set("Content-Security-Policy", CSP);
      headers.set("X-Content-Type-Options", "nosniff");
      headers.set("X-Frame-Options", "DENY");
      headers.set("Referrer-Policy", "no-referrer");
      headers.set("Cache-Control", "no-store");
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        headers.set("Allow", "GET, HEAD");
        sendText(exchange, 405, "the dashboard is read-only: only GET and HEAD are answered");
        return;
      }
      String host = exchange.getRequestHeaders().getFirst("Host");
      if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
        sendText(exchange, 403, "the dashboard answers only requests addressed to 127.0.0.1 or localhost");
        return;
      }
      URI uri = exchange.getRequestURI();
      String path = uri.getRawPath();
      Optional<String> fromQuery = path.equals("/") ? queryToken(uri.getRawQuery()) : Optional.empty();
      if (fromQuery.isPresent() && token.matches(fromQuery.get())) {
        // The token moves into a cookie scripts cannot read, and out of the address bar and history.
        headers.add("Set-Cookie", COOKIE + "=" + token.value() + "; Path=/; HttpOnly; SameSite=Strict");
        headers.set("Location", "/");
        send(exchange, 303, new byte[0], "text/plain; charset=utf-8");
        return;
      }
      if (!authorized(exchange.getRequestHeaders())) {
        sendText(exchange, 401, "401: open the dashboard with the URL 'ama ui' printed (it carries the access token)");
        return;
      }
      if (path.startsWith("/api/")) {
        answerApi(exchange, path.substring("/api/".length()), uri.getRawQuery());
      } else {
        answerFile(exchange, path.equals("/") ? "index.html" : path.substring(1));
      }
    }
  }

  private boolean authorized(Headers request) {
    String auth = request.getFirst("Authorization");
    if (auth != null && auth.startsWith("Bearer ")) {
      return token.matches(auth.substring("Bearer ".length()).trim());
    }
    List<String> cookies = request.get("Cookie");
    if (cookies == null) {
      return false;
    }
    boolean ok = false;
    for (String header : cookies) {
      for (String cookie : header.split(";")) {
        String c = cookie.trim();
        if (c.startsWith(COOKIE + "=")) {
          ok |= token.matches(c.substring(COOKIE.length() + 1));
        }
      }
    }
    return ok;
  }

  private static Optional<String> queryToken(String rawQuery) {
    if (rawQuery == null) {
      return Optional.empty();
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.startsWith("token=")) {
        return Optional.of(pair.substring("token=".length()));
      }
    }
    return Optional.empty();
  }

  private void answerApi(HttpExchange exchange, String name, String rawQuery) throws IOException {
    int status;
    ObjectNode body;
    try {
      if (!ENDPOINT.matcher(name).matches()) {
        throw new NotFoundException("the dashboard has no endpoint /api/" + name);
      }
      body = routes.answer(name, rawQuery);
      status = 200;
    } catch (InvalidInputException e) {
      status = 400;
      body = error(e.getMessage());
    } catch (NotFoundException e) {
      status = 404;
      body = error(e.getMessage());
    } catch (AmaException e) {
      // The store could not answer (unreachable, damaged): its message says why and what to do.
      status = 502;
      body = error(e.getMessage());
    } catch (RuntimeException e) {
      // No stack trace leaves the server: the page shows the cause, the terminal is not the place.
      status = 500;
      body = error("the dashboard could not answer /api/" + name + ": " + e);
    }
    byte[] bytes;
    try {
      bytes = Api.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    send(exchange, status, bytes, "application/json; charset=utf-8");
  }

  private static ObjectNode error(String message) {
    return Api.JSON.createObjectNode().put("error", message);
  }

  private void answerFile(HttpExchange exchange, String name) throws IOException {
    Optional<WebResources.Resource> file = WebResources.find(name);
    if (file.isEmpty()) {
      sendText(exchange, 404, "no such dashboard file");
      return;
    }
    byte[] bytes = name.equals("index.html") ? WebResources.indexPage(WebResources.LIVE) : file.get().bytes();
    send(exchange, 200, bytes, file.get().contentType());
  }

  private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
    send(exchange, status, (text + "\n").getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
  }

  private static void send(HttpExchange exchange, int status, byte[] body, String contentType) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
