package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ama doctor}: the verdicts, the exit codes, the recorded verdict and its JSON. */
class DoctorCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Ama ama;

  @BeforeEach
  void setUp() throws IOException {
    ama = new Ama(tmp);
    Files.createDirectories(ama.store);
  }

  @Test
  void aFileSystemStoreIsOkOnEveryPropertyAndTheVerdictIsRecordedForOthers() throws IOException {
    Ama.Result r = ama.ok("doctor", "--rounds", "5");
    for (String p : List.of("create-only-threads", "create-only-processes", "listing-order", "listing-order-unicode",
        "listing-complete",
        "read-after-write", "clock", "read", "upload", "alias-moves", "delete")) {
      assertTrue(r.out().contains("\nok       " + String.format("%-22s", p) + " "), p + " in\n" + r.out());
    }
    assertTrue(r.out().contains("recorded in probe/verdict.json; 'ama doctor --show' prints it"), r.out());
    assertTrue(r.out().endsWith("ok: the store has every property AMA needs\n"), r.out());
    try (Stream<Path> s = Files.walk(ama.store)) {
      List<String> files = new ArrayList<>(s.filter(Files::isRegularFile).map(f -> ama.store.relativize(f).toString())
          .sorted().toList());
      assertEquals(List.of("ama-store.json", "probe/verdict.json"), files);
    }

    Ama.Result shown = ama.ok("doctor", "--show");
    assertTrue(shown.out().startsWith("last probe of file:"), shown.out());
    assertTrue(shown.out().contains(" by alice at "), shown.out());
    JsonNode json = JSON.readTree(ama.ok("doctor", "--show", "--json").out());
    assertEquals(1, json.get("schema").asInt());
    assertTrue(json.get("ok").asBoolean());
    assertEquals("alice", json.get("by").asText());
    assertTrue(json.get("at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), json.toString());
    assertEquals(11, json.get("checks").size());
    JsonNode first = json.get("checks").get(0);
    assertEquals("create-only-threads", first.get("property").asText());
    assertEquals("ok", first.get("verdict").asText());
    assertTrue(first.get("required").asBoolean());
    assertEquals(0, ama.ok("verify").code(), "the recorded verdict is no problem for verify");
  }

  @Test
  void anUnsoundStoreExitsSixNamingEachBrokenPropertyAndWhatItMeans() throws IOException {
    ama.env.put("AMA_STORE", "unsound:" + ama.store);
    Ama.Result r = ama.run("doctor", "--rounds", "5");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    assertTrue(r.out().contains("\nBROKEN   create-only-threads"), r.out());
    assertTrue(r.out().contains("\nBROKEN   create-only-processes"), r.out());
    assertTrue(r.out().contains("create-only not atomic: two uploads of the same alias entry could both win, so alias"
        + " moves are unsafe on this store"), r.out());
    assertTrue(r.out().contains("\nBROKEN   listing-order"), r.out());
    assertTrue(r.out().contains("against the order of their UTF-8 bytes"), r.out());
    assertTrue(r.out().contains("\nok       read-after-write"), r.out());
    assertTrue(r.out().endsWith("BROKEN: the store lacks a property AMA needs; see the lines marked BROKEN\n"), r.out());

    Ama.Result shown = ama.run("doctor", "--show", "--json");
    assertEquals(ExitCodes.INTEGRITY, shown.code(), shown.toString());
    JsonNode json = JSON.readTree(shown.out());
    assertFalse(json.get("ok").asBoolean());
    assertEquals("broken", json.get("checks").get(0).get("verdict").asText());
  }

  @Test
  void showOnAStoreNeverProbedIsNotFoundAndSaysWhatToRun() {
    ama.write("model.yml", "layers: 3\n");
    ama.ok("init", "models");
    ama.ok("add", "model.yml");
    ama.ok("upload");
    Ama.Result r = ama.run("doctor", "--show");
    assertEquals(ExitCodes.NOT_FOUND, r.code(), r.toString());
    assertTrue(r.err().contains("no probe verdict is recorded in file:"), r.err());
    assertTrue(r.err().contains("run: ama doctor"), r.err());
  }

  @Test
  void badOptionsAreRefusedNamingTheOption() {
    Ama.Result zero = ama.run("doctor", "--rounds", "0");
    assertEquals(ExitCodes.INVALID_INPUT, zero.code(), zero.toString());
    assertTrue(zero.err().contains("the probe's rounds must be between 1 and 10000, not 0"), zero.err());
    Ama.Result both = ama.run("doctor", "--show", "--rounds", "5");
    assertEquals(ExitCodes.INVALID_INPUT, both.code(), both.toString());
    assertTrue(both.err().contains("--show prints the recorded verdict and probes nothing"), both.err());
    Ama.Result tolerance = ama.run("doctor", "--clock-tolerance", "soon");
    assertEquals(ExitCodes.INVALID_INPUT, tolerance.code(), tolerance.toString());
    assertTrue(tolerance.err().contains("invalid --clock-tolerance 'soon'"), tolerance.err());
  }
}
