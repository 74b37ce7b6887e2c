package dev.ama.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the contract suite cannot show: servers that fail, ignore ranges, or are not there. */
class HttpMirrorStorageTest {
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private URI serve(HttpHandler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", handler);
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/store");
  }

  @Test
  void serverErrorsNameTheUrlAndTheStatus() throws IOException {
    URI base = serve(ex -> {
      ex.sendResponseHeaders(503, -1);
      ex.close();
    });
    HttpMirrorStorage mirror = new HttpMirrorStorage(base);
    IOException stat = assertThrows(IOException.class, () -> mirror.stat("blobs/a b"));
    assertTrue(stat.getMessage().contains(base + "/blobs/a%20b") && stat.getMessage().contains("HTTP 503"),
        stat.getMessage());
    IOException open = assertThrows(IOException.class, () -> mirror.open("blobs/x"));
    assertTrue(open.getMessage().contains(base + "/blobs/x") && open.getMessage().contains("HTTP 503"),
        open.getMessage());
  }

  @Test
  void anUnreachableMirrorIsAClearIoException() throws IOException {
    URI base = serve(ex -> ex.close());
    server.stop(0);
    server = null;
    HttpMirrorStorage mirror = new HttpMirrorStorage(base);
    IOException e = assertThrows(IOException.class, () -> mirror.stat("ama-store.json"));
    assertTrue(e.getMessage().startsWith("cannot reach " + base + "/ama-store.json"), e.getMessage());
  }

  @Test
  void rangedReadsWorkWhenTheServerIgnoresRange() throws IOException {
    byte[] data = new byte[1000];
    Arrays.fill(data, (byte) 7);
    data[500] = 1;
    URI base = serve(ex -> {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(data.length));
      ex.sendResponseHeaders(200, ex.getRequestMethod().equals("HEAD") ? -1 : data.length);
      if (!ex.getRequestMethod().equals("HEAD")) {
        ex.getResponseBody().write(data);
      }
      ex.close();
    });
    HttpMirrorStorage mirror = new HttpMirrorStorage(base);
    try (InputStream in = mirror.open("k", 500, 3)) {
      assertArrayEquals(new byte[] {1, 7, 7}, in.readAllBytes());
    }
    try (InputStream in = mirror.open("k", 1000, 3)) {
      assertEquals(0, in.readAllBytes().length);
    }
    assertThrows(EOFException.class, () -> mirror.open("k", 1001, 3).close());
  }

  @Test
  void theProviderServesHttpAndHttpsAndRefusesWhatItCannotUse() throws IOException {
    Storage https = Storages.open("https://cdn.example.com/models");
    assertInstanceOf(HttpMirrorStorage.class, https);
    assertEquals("https://cdn.example.com/models/", https.location());
    assertInstanceOf(HttpMirrorStorage.class, Storages.open("http://127.0.0.1:8080/"));
    IllegalArgumentException query = assertThrows(IllegalArgumentException.class,
        () -> Storages.open("https://cdn.example.com/models?token=x"));
    assertTrue(query.getMessage().contains("no query or options"), query.getMessage());
    IllegalArgumentException options = assertThrows(IllegalArgumentException.class,
        () -> Storages.open("https://cdn.example.com/models", Map.of("endpoint", "x")));
    assertTrue(options.getMessage().contains("[endpoint]"), options.getMessage());
  }
}
