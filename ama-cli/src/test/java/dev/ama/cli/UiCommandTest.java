package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ama ui: serving until stopped, the one-line URL, a busy port, and --export. */
class UiCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Ama ama;
  String model;

  @BeforeEach
  void cli() {
    ama = new Ama(tmp);
  }

  /** The seed documents' two assets: training inputs, and a model made from them. */
  void store() throws Exception {
    ama.write("training.yml", "learning_rate: 0.001\n");
    ama.ok("init", "training_params");
    ama.ok("add", "training.yml");
    ama.ok("set", "--alias", "my_training_inputs");
    ama.ok("upload");
    ama.write("model.h5", "weights");
    ama.ok("init", "rnn_models");
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", "my_model");
    ama.ok("add", "ref", "--alias", "my_training_inputs");
    model = JSON.readTree(ama.ok("upload", "--json").out()).get("version").asText();
  }

  @Test
  void servesTheStoreUntilStoppedAndPrintsOnlyTheUrl() throws Exception {
    store();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread serving = new Thread(() -> code.set(
        AmaCli.run(ama.work, ama.env, new PrintWriter(out), new PrintWriter(err), new String[] {"ui"})));
    serving.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!out.toString().endsWith("\n") && System.nanoTime() < deadline && serving.isAlive()) {
      Thread.sleep(20);
    }
    String line = out.toString();
    assertTrue(line.matches("http://127\\.0\\.0\\.1:\\d+/\\?token=[A-Za-z0-9_-]{43}\n"), line + err);
    URI uri = URI.create(line.trim());
    String token = uri.getQuery().substring("token=".length());
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> types = http.send(HttpRequest.newBuilder(uri.resolve("/api/version?id=" + model))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, types.statusCode(), types.body());
    JsonNode version = JSON.readTree(types.body());
    assertEquals("rnn_models", version.get("type").asText());
    assertEquals("my_training_inputs", version.get("refs").get(0).get("alias").asText());
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(uri.resolve("/api/types")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anonymous.statusCode());

    serving.interrupt();
    serving.join(10_000);
    assertFalse(serving.isAlive(), "ama ui did not stop when interrupted");
    assertEquals(0, code.get(), err.toString());
    assertEquals(line, out.toString(), "one line on stdout");
    try (ServerSocket again = new ServerSocket(uri.getPort(), 0, java.net.InetAddress.getLoopbackAddress())) {
      assertEquals(uri.getPort(), again.getLocalPort(), "the port is free again");
    }
  }

  @Test
  void aPortInUseIsAClearErrorWithTheFix() throws Exception {
    store();
    try (ServerSocket busy = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      Ama.Result r = ama.run("ui", "--port", String.valueOf(busy.getLocalPort()));
      assertEquals(ExitCodes.INVALID_INPUT, r.code(), r.toString());
      assertTrue(r.err().contains("port " + busy.getLocalPort() + " on 127.0.0.1 is in use"), r.err());
      assertTrue(r.err().contains("--port 0"), r.err());
      assertEquals("", r.out());
    }
  }

  @Test
  void exportWritesTheStaticSiteAndRefusesAFolderWithOtherFiles() throws Exception {
    store();
    Ama.Result r = ama.ok("ui", "--export", "site");
    assertTrue(r.out().contains("exported 2 version(s) of 2 asset type(s)"), r.out());
    Path site = ama.work.resolve("site");
    assertTrue(Files.readString(site.resolve("index.html")).contains("content=\"static\""));
    String hex = model.substring("sha256:".length());
    assertEquals("rnn_models", JSON.readTree(site.resolve("api/version/" + hex + ".json").toFile()).get("type").asText());
    assertTrue(Files.exists(site.resolve("vendor/cytoscape.min.js")));
    ama.ok("ui", "--export", "site");

    Path other = Files.createDirectories(ama.work.resolve("notes"));
    Files.writeString(other.resolve("todo.txt"), "keep me");
    Ama.Result refused = ama.run("ui", "--export", "notes");
    assertEquals(ExitCodes.INVALID_INPUT, refused.code(), refused.toString());
    assertTrue(refused.err().contains("holds other files"), refused.err());
    assertEquals("keep me", Files.readString(other.resolve("todo.txt")));
    try (var files = Files.list(other)) {
      assertEquals(1, files.count(), "nothing written beside it");
    }
  }

  @Test
  void exportServesNothingSoPortAndOpenAreUsageErrors() {
    Ama.Result r = ama.run("ui", "--export", "site", "--open");
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains("--export writes files and serves nothing"), r.err());
  }

  @Test
  void helpHasExamples() {
    Ama.Result r = ama.ok("ui", "--help");
    assertTrue(r.out().startsWith("Usage: ama ui"), r.out());
    assertTrue(r.out().contains("--port") && r.out().contains("--open") && r.out().contains("--export"), r.out());
    assertTrue(r.out().contains("Examples:"), r.out());
  }
}
