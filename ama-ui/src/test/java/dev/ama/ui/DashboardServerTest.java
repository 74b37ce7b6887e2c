package dev.ama.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ama.AssetVersion;
import dev.ama.Digest;
import dev.ama.InvalidInputException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's HTTP side, spoken to as a browser or an attacker would, over a plain socket. */
class DashboardServerTest {
  @TempDir static Path tmp;
  static SeededStore seed;
  static DashboardServer ui;
  static String token;
  static String host;

  @BeforeAll
  static void start() {
    seed = new SeededStore(tmp);
    ui = DashboardServer.start(seed.client, 0);
    token = ui.uri().getQuery().substring("token=".length());
    host = "127.0.0.1:" + ui.port();
  }

  @AfterAll
  static void stop() {
    ui.close();
    seed.client.close();
  }

  static Http.Response get(String path) throws IOException {
    return Http.get(ui.port(), path, host, "Authorization: Bearer " + token);
  }

  static JsonNode json(String path) throws IOException {
    Http.Response r = get(path);
    assertEquals(200, r.status(), path + ": " + r.body());
    assertTrue(r.header("content-type").startsWith("application/json"), r.header("content-type"));
    return Api.JSON.readTree(r.body());
  }

  static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ the token

  @Test
  void theUriIsLoopbackWithA32ByteUrlSafeToken() {
    assertEquals("127.0.0.1", ui.uri().getHost());
    assertTrue(token.matches("[A-Za-z0-9_-]{43}"), token);
  }

  static final List<String> PATHS = List.of("/", "/index.html", "/app.js", "/style.css", "/vendor/cytoscape.min.js",
      "/api/types", "/api/aliases?type=rnn_models", "/api/versions?type=rnn_models", "/api/history?type=rnn_models&alias=my_model",
      "/api/version?id=MODEL", "/api/lineage?id=MODEL", "/api/diff?from=MODEL&to=MODEL", "/api/find?digest=MODEL",
      "/api/nothing", "/no-such-file", "/../../etc/passwd");

  @Test
  void everyPathWithoutTheTokenIs401WithNoData() throws IOException {
    for (String path : paths()) {
      for (String[] credentials : List.of(new String[0], new String[] {"Authorization: Bearer wrong"},
          new String[] {"Cookie: ama_token=" + token.substring(1)}, new String[] {"Authorization: Bearer " + token + "x"})) {
        Http.Response r = Http.get(ui.port(), path, host, credentials);
        assertEquals(401, r.status(), path + " " + String.join(",", credentials));
        assertNoData(path, r);
      }
    }
  }

  @Test
  void theTokenInTheQueryIsAcceptedOnlyOnTheFirstPage() throws IOException {
    Http.Response r = Http.get(ui.port(), "/api/types?token=" + token, host);
    assertEquals(401, r.status());
    assertNoData("/api/types", r);
    assertEquals(401, Http.get(ui.port(), "/?token=" + token + "x", host).status());
  }

  @Test
  void theFirstPageTurnsTheTokenIntoAStrictHttpOnlyCookieAndDropsItFromTheAddress() throws IOException {
    Http.Response r = Http.get(ui.port(), "/?token=" + token, host);
    assertEquals(303, r.status());
    assertEquals("/", r.header("location"));
    String cookie = r.header("set-cookie");
    assertTrue(cookie.startsWith("ama_token=" + token + ";"), cookie);
    assertTrue(cookie.contains("HttpOnly"), cookie);
    assertTrue(cookie.contains("SameSite=Strict"), cookie);
    Http.Response page = Http.get(ui.port(), "/", host, "Cookie: other=1; ama_token=" + token);
    assertEquals(200, page.status());
    assertTrue(page.body().contains("<meta name=\"ama-mode\" content=\"live\">"), page.body());
  }

  @Test
  void aHostThatIsNotLoopbackIsRefusedEvenWithTheToken() throws IOException {
    for (String bad : new String[] {"evil.example:" + ui.port(), "127.0.0.1.evil.example:" + ui.port(), "127.0.0.1:1", null}) {
      Http.Response r = Http.get(ui.port(), "/api/types", bad, "Authorization: Bearer " + token);
      assertEquals(403, r.status(), String.valueOf(bad));
      assertNoData("/api/types", r);
    }
    assertEquals(200, Http.get(ui.port(), "/api/types", "localhost:" + ui.port(), "Authorization: Bearer " + token).status());
  }

  // ------------------------------------------------------------------ files and headers

  @Test
  void everyAnswerCarriesALockedDownSecurityPolicyAndNoCors() throws IOException {
    for (String path : List.of("/", "/app.js", "/api/types", "/api/nothing")) {
      Http.Response r = get(path);
      assertEquals(DashboardServer.CSP, r.header("content-security-policy"), path);
      assertTrue(r.header("content-security-policy").contains("script-src 'self'"));
      assertFalse(r.header("content-security-policy").contains("unsafe-inline"));
      assertEquals("nosniff", r.header("x-content-type-options"), path);
      assertEquals("no-referrer", r.header("referrer-policy"), path);
      assertNull(r.header("access-control-allow-origin"), path);
    }
  }

  @Test
  void thePageAndTheGraphLibrariesAreServedFromTheJar() throws IOException {
    Http.Response app = get("/app.js");
    assertEquals(200, app.status());
    assertTrue(app.header("content-type").startsWith("text/javascript"));
    assertTrue(app.body().contains("cytoscape"));
    for (String lib : List.of("/vendor/cytoscape.min.js", "/vendor/dagre.min.js", "/vendor/cytoscape-dagre.js")) {
      Http.Response r = get(lib);
      assertEquals(200, r.status(), lib);
      assertTrue(r.body().length() > 5_000, lib);
    }
  }

  @Test
  void pathTraversalNamesNoOtherFile() throws IOException {
    for (String path : List.of("/../pom.xml", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/vendor/../app.js",
        "/vendor/../../dev/ama/ui/Api.class", "//etc/passwd", "/etc/passwd", "/dev/ama/ui/web/app.js",
        "/META-INF/resources/webjars/dagre/0.8.4/package.json", "/app.js%00.html", "/APP.JS", "/webjars.properties",
        "/dev/ama/ui/webjars.properties", "/%2Fetc%2Fpasswd", "/C:/Windows/win.ini", "/api/../app.js")) {
      Http.Response r = get(path);
      assertTrue(r.status() == 404 || r.status() == 400, path + " → " + r.status());
      assertFalse(r.body().contains("root:"), path);
      assertFalse(r.body().contains("cytoscape"), path);
      assertTrue(r.body().length() < 300, path + ": " + r.body());
    }
  }

  @Test
  void onlyGetAndHeadAreAnswered() throws IOException {
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      Http.Response r = Http.request(ui.port(), method, "/api/types", host, "Authorization: Bearer " + token, "Content-Length: 0");
      assertEquals(405, r.status(), method);
      assertEquals("GET, HEAD", r.header("allow"));
    }
    Http.Response head = Http.request(ui.port(), "HEAD", "/api/types", host, "Authorization: Bearer " + token);
    assertEquals(200, head.status());
    assertEquals("", head.body());
  }

  // ------------------------------------------------------------------ the endpoints

  @Test
  void typesListsTheStoresTypesSorted() throws IOException {
    JsonNode t = json("/api/types");
    assertEquals(List.of("eval_reports", "rnn_models", "training_params"), texts(t.get("types")));
    assertEquals(seed.client.location(), t.get("store").asText());
  }

  @Test
  void aliasesSaysWhereEachPointsWhoMovedItAndWhen() throws IOException {
    JsonNode a = json("/api/aliases?type=rnn_models");
    JsonNode myModel = a.get("aliases").get(0);
    assertEquals("my_model", myModel.get("alias").asText());
    assertEquals(seed.model1.version().toString(), myModel.get("version").asText(), "rolled back to the first");
    assertEquals("alice", myModel.get("by").asText());
    assertEquals(3, myModel.get("seq").asInt());
    assertNotNull(java.time.Instant.parse(myModel.get("at").asText()));
  }

  @Test
  void aliasesComeAPageAtATimeByNameAndCanBeSearched() throws IOException {
    JsonNode first = json("/api/aliases?type=rnn_models&limit=2");
    assertEquals(4, first.get("total").asInt());
    assertEquals(List.of("my_model"), texts(first.get("aliases"), "alias"));
    assertEquals(List.of("canary"), texts(first.get("removed"), "alias"));
    assertTrue(first.get("removed").get(0).get("removed").asBoolean());
    assertEquals("my_model", first.get("next").asText());
    JsonNode second = json("/api/aliases?type=rnn_models&limit=2&after=my_model");
    assertEquals(List.of("prod", "staging"), texts(second.get("aliases"), "alias"));
    assertTrue(second.get("next").isNull());
    JsonNode search = json("/api/aliases?type=rnn_models&q=PRO");
    assertEquals(1, search.get("total").asInt());
    assertEquals(List.of("prod"), texts(search.get("aliases"), "alias"));
  }

  @Test
  void historyNamesTheSetThePromotionAndTheRollback() throws IOException {
    JsonNode h = json("/api/history?type=rnn_models&alias=my_model");
    List<String> kinds = new ArrayList<>();
    h.get("entries").forEach(e -> kinds.add(e.get("kind").asText()));
    assertEquals(List.of("set", "promotion", "rollback"), kinds);
    JsonNode rollback = h.get("entries").get(2);
    assertEquals(seed.model1.version().toString(), rollback.get("version").asText());
    assertEquals(seed.model2.version().toString(), rollback.get("previous").asText());
  }

  @Test
  void aVersionShowsFilesLabelsRefsWhoRefsItAndItsAliases() throws IOException {
    JsonNode v = json("/api/version?id=" + q(seed.inputs1.version().toString()));
    assertEquals("training_params", v.get("type").asText());
    assertEquals("Inputs of the first training run", v.get("description").asText());
    assertEquals("wiki-2026", v.get("labels").get("dataset").asText());
    assertEquals(List.of("training.yml", "vocab.txt"), texts(v.get("files"), "path"));
    assertEquals(seed.inputs1.file("training.yml").orElseThrow().digest().toString(), v.get("files").get(0).get("digest").asText());
    assertEquals(List.of(seed.model1.version().toString()), texts(v.get("referencedBy"), "version"));
    assertEquals(List.of(), texts(v.get("aliases")), "my_training_inputs moved on to the second inputs");
    JsonNode m = json("/api/version?id=" + seed.model1.version().hex().substring(0, 12));
    assertEquals(List.of("my_model", "prod"), texts(m.get("aliases")));
    assertEquals(seed.inputs1.version().toString(), m.get("refs").get(0).get("version").asText());
    assertEquals("my_training_inputs", m.get("refs").get(0).get("alias").asText());
  }

  @Test
  void lineageSpansTypesUpAndDownToTheDepthAsked() throws IOException {
    String id = q(seed.model1.version().toString());
    JsonNode both = json("/api/lineage?id=" + id + "&direction=both&depth=5");
    assertEquals(List.of(seed.model1.version().toString(), seed.inputs1.version().toString(), seed.report.version().toString()),
        texts(both.get("nodes"), "version"));
    assertEquals(List.of(0, -1, 1), ints(both.get("nodes"), "depth"));
    assertEquals(2, both.get("edges").size());
    JsonNode up = json("/api/lineage?id=" + q(seed.report.version().toString()) + "&direction=up&depth=1");
    assertEquals(2, up.get("nodes").size());
    assertTrue(up.get("truncated").asBoolean(), "the inputs are two refs away");
    JsonNode deep = json("/api/lineage?id=" + q(seed.report.version().toString()) + "&direction=up&depth=2");
    assertEquals(3, deep.get("nodes").size());
    assertFalse(deep.get("truncated").asBoolean());
  }

  @Test
  void diffShowsFilesAndKeyLevelParameters() throws IOException {
    JsonNode d = json("/api/diff?from=" + q(seed.inputs1.version().toString()) + "&to=" + q(seed.inputs2.version().toString()));
    JsonNode change = d.get("changed").get(0);
    assertEquals("training.yml", change.get("path").asText());
    JsonNode p = change.get("parameters").get(0);
    assertEquals("learning_rate", p.get("key").asText());
    assertEquals("0.001", p.get("before").asText());
    assertEquals("0.0005", p.get("after").asText());
    assertEquals(1, d.get("unchanged").asInt());
  }

  @Test
  void findListsTheVersionsHoldingTheBytes() throws IOException {
    Digest weights;
    try (var in = Files.newInputStream(seed.modelWeights)) {
      weights = Digest.sha256(in);
    }
    JsonNode f = json("/api/find?digest=" + q(weights.toString()));
    assertEquals(1, f.get("matches").size());
    assertEquals(seed.model1.version().toString(), f.get("matches").get(0).get("version").asText());
    assertEquals("model.h5", f.get("matches").get(0).get("path").asText());
    JsonNode none = json("/api/find?digest=" + q(Digest.sha256(new byte[] {1}).toString()));
    assertEquals(0, none.get("matches").size());
  }

  @Test
  void versionsPageThroughEveryVersionOnceNewestFirst() throws IOException {
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page = json("/api/versions?type=training_params&limit=1" + (cursor == null ? "" : "&cursor=" + q(cursor)));
      seen.addAll(texts(page.get("versions"), "version"));
      cursor = page.get("next").isNull() ? null : page.get("next").asText();
      pages++;
    } while (cursor != null && pages < 10);
    assertEquals(List.of(seed.inputs2.version().toString(), seed.inputs1.version().toString()), seen);
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void badNamesAndParametersAre400WithAClearMessageAndNoStackTrace() throws IOException {
    String[][] cases = {
      {"/api/aliases?type=" + q("../../etc"), "type"},
      {"/api/aliases?type=" + q("rnn_models' OR '1'='1"), "type"},
      {"/api/aliases?type=" + q("<script>alert(1)</script>"), "type"},
      {"/api/aliases", "'type' is missing"},
      {"/api/history?type=rnn_models&alias=" + q("../x"), "alias"},
      {"/api/history?type=rnn_models&alias=" + q("a*"), "alias"},
      {"/api/versions?type=rnn_models&limit=0", "limit"},
      {"/api/aliases?type=rnn_models&limit=501", "limit must be between 1 and 500"},
      {"/api/versions?type=rnn_models&limit=many", "'limit' must be a whole number"},
      {"/api/versions?type=rnn_models&cursor=yesterday", "cursor"},
      {"/api/version?id=" + q("sha256:zz"), ""},
      {"/api/lineage?id=" + q(seed.model1.version().toString()) + "&depth=0", "depth"},
      {"/api/lineage?id=" + q(seed.model1.version().toString()) + "&direction=sideways", "direction"},
      {"/api/find?digest=" + q("md5:abc"), ""},
      {"/api/types?x=1&x=2", "given twice"},
    };
    for (String[] c : cases) {
      Http.Response r = get(c[0]);
      assertEquals(400, r.status(), c[0] + ": " + r.body());
      String error = Api.JSON.readTree(r.body()).get("error").asText();
      assertTrue(error.contains(c[1]), c[0] + ": " + error);
      assertNoStackTrace(c[0], r.body());
    }
  }

  @Test
  void aMalformedEscapeIs400WithNoStackTrace() throws IOException {
    // The JDK's server refuses such a URI before the dashboard sees it ("URISyntaxException
    // thrown", a name but no trace).
    Http.Response r = get("/api/aliases?type=%zz");
    assertEquals(400, r.status(), r.body());
    assertFalse(r.body().contains("\tat ") || r.body().contains("dev.ama"), r.body());
    assertTrue(r.body().length() < 200, r.body());
  }

  @Test
  void unknownThingsAre404AndNameWhatIsMissing() throws IOException {
    String[][] cases = {
      {"/api/nothing", "no endpoint /api/nothing"},
      {"/api/types/../version", "no endpoint"},
      {"/api/aliases?type=no_such_type", ""},
      {"/api/history?type=rnn_models&alias=no_such_alias", "no_such_alias"},
      {"/api/version?id=" + "0".repeat(64), ""},
    };
    for (String[] c : cases) {
      Http.Response r = get(c[0]);
      if (c[0].equals("/api/aliases?type=no_such_type")) {
        // A type without aliases is an empty list, not an error: types are not declared ahead.
        assertEquals(200, r.status(), r.body());
        continue;
      }
      assertEquals(404, r.status(), c[0] + ": " + r.body());
      assertTrue(Api.JSON.readTree(r.body()).get("error").asText().contains(c[1]), c[0] + ": " + r.body());
      assertNoStackTrace(c[0], r.body());
    }
  }

  @Test
  void aPortInUseIsAClearErrorWithTheFix() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> DashboardServer.start(seed.client, ui.port()));
    assertTrue(e.getMessage().contains("port " + ui.port() + " on 127.0.0.1 is in use"), e.getMessage());
    assertTrue(e.getMessage().contains("--port 0"), e.getMessage());
  }

  @Test
  void aClosedServerStopsListening() throws IOException {
    DashboardServer other = DashboardServer.start(seed.client, 0);
    int port = other.port();
    other.close();
    assertThrows(IOException.class, () -> Http.get(port, "/", "127.0.0.1:" + port));
  }

  // ------------------------------------------------------------------ helpers

  private static List<String> paths() {
    AssetVersion m = seed.model1;
    return PATHS.stream().map(p -> p.replace("MODEL", q(m.version().toString()))).toList();
  }

  private static void assertNoData(String path, Http.Response r) {
    assertTrue(r.body().length() < 200, path + ": " + r.body());
    for (String secret : List.of("rnn_models", "training_params", "my_model", "sha256:", tmp.toString(), "cytoscape")) {
      assertFalse(r.body().contains(secret), path + " leaked " + secret + ": " + r.body());
    }
    assertNull(r.header("set-cookie"), path);
  }

  private static void assertNoStackTrace(String path, String body) {
    assertFalse(body.contains("Exception"), path + ": " + body);
    assertFalse(body.contains("\tat "), path + ": " + body);
    assertFalse(body.contains("at dev.ama"), path + ": " + body);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asText()));
    return out;
  }

  private static List<Integer> ints(JsonNode array, String field) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asInt()));
    return out;
  }
}
