package dev.ama.ui;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** A plain web server over a folder, as a team would publish an export (nginx, a bucket's website). */
final class StaticSite implements AutoCloseable {
  private final HttpServer server;

  StaticSite(Path root) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        Path file = root.resolve(path.equals("/") ? "index.html" : path.substring(1)).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        String name = file.getFileName().toString();
        String type = name.endsWith(".html") ? "text/html" : name.endsWith(".js") ? "text/javascript"
            : name.endsWith(".css") ? "text/css" : name.endsWith(".svg") ? "image/svg+xml" : "application/json";
        byte[] body = Files.readAllBytes(file);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
