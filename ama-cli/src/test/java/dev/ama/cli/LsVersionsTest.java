package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ama ls TYPE --versions and its filters. */
class LsVersionsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Ama ama;
  /** Oldest first: alice's dev version, bob's prod version, alice's prod version. */
  List<JsonNode> uploaded = new ArrayList<>();

  @BeforeEach
  void versions() throws Exception {
    ama = new Ama(tmp);
    ama.ok("init", "models");
    upload("one", "alice", "stage=dev", "best");
    upload("two", "bob", "stage=prod", "best");
    upload("three", "alice", "stage=prod", "latest");
  }

  private void upload(String content, String user, String label, String alias) throws Exception {
    ama.write("model.h5", content);
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", alias, "--label", label, "--label", "team=nlp");
    uploaded.add(JSON.readTree(ama.ok("--user", user, "upload", "--json").out()));
    // Upload times are stored to the millisecond; keep them apart so windows are exact.
    Thread.sleep(5);
  }

  private String id(int i) {
    return uploaded.get(i).get("version").asText();
  }

  private List<String> versions(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ls", "models", "--json"));
    command.addAll(List.of(args));
    List<String> out = new ArrayList<>();
    JSON.readTree(ama.ok(command.toArray(String[]::new)).out()).get("versions").forEach(v -> out.add(v.get("version").asText()));
    return out;
  }

  @Test
  void versionsAreListedNewestFirstWithAliasesAndLabels() throws Exception {
    JsonNode json = JSON.readTree(ama.ok("ls", "models", "--versions", "--json").out()).get("versions");
    assertEquals(3, json.size());
    JsonNode newest = json.get(0);
    assertEquals(id(2), newest.get("version").asText());
    assertEquals("models", newest.get("type").asText());
    assertEquals("alice", newest.get("by").asText());
    assertEquals(uploaded.get(2).get("at").asText(), newest.get("at").asText());
    assertEquals("[\"latest\"]", newest.get("aliases").toString());
    assertEquals("{\"stage\":\"prod\",\"team\":\"nlp\"}", newest.get("labels").toString());
    assertTrue(newest.get("description").isNull());
    assertEquals(5, newest.get("size").asLong());
    assertEquals(1, newest.get("files").asInt());
    assertEquals("[\"best\"]", json.get(1).get("aliases").toString(), "best moved to bob's version");
    assertEquals("[]", json.get(2).get("aliases").toString(), "no alias points at the first version any more");

    List<String> lines = ama.ok("ls", "models", "--versions").out().lines().toList();
    assertEquals(4, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).matches("VERSION +CREATED +BY +ALIASES +LABELS"), lines.get(0));
    assertTrue(lines.get(1).matches("sha256:" + id(2).substring(7, 19) + " +\\S+Z +alice +latest +stage=prod,team=nlp"),
        lines.get(1));
    assertTrue(lines.get(3).matches("sha256:" + id(0).substring(7, 19) + " +\\S+Z +alice +- +stage=dev,team=nlp"),
        lines.get(3));
  }

  @Test
  void byAndLabelsFilterAndImplyVersions() throws Exception {
    assertEquals(List.of(id(2), id(0)), versions("--by", "alice"));
    assertEquals(List.of(id(2), id(1)), versions("--label", "stage=prod"));
    assertEquals(List.of(id(2)), versions("--label", "stage=prod", "--label", "team=nlp", "--by", "alice"));
    assertEquals(List.of(), versions("--by", "carol"));
    assertEquals("no version of models matches: by carol\n", ama.ok("ls", "models", "--by", "carol").out());
  }

  @Test
  void sinceIsInclusiveAndUntilExclusive() throws Exception {
    String second = uploaded.get(1).get("at").asText();
    assertEquals(List.of(id(2), id(1)), versions("--since", second));
    assertEquals(List.of(id(0)), versions("--until", second));
    assertEquals(List.of(id(1)), versions("--since", second, "--until", uploaded.get(2).get("at").asText()));
  }

  @Test
  void aDateMeansTheWholeDayInUtc() throws Exception {
    String today = Instant.parse(uploaded.get(0).get("at").asText()).atZone(ZoneOffset.UTC).toLocalDate().toString();
    String tomorrow = Instant.parse(uploaded.get(0).get("at").asText()).atZone(ZoneOffset.UTC).toLocalDate()
        .plusDays(1).toString();
    // Uploads near midnight UTC would straddle two days; the assertion allows for that.
    List<String> sameDay = versions("--since", today, "--until", today);
    assertTrue(sameDay.contains(id(0)), sameDay.toString());
    assertEquals(3, versions("--until", tomorrow).size(), "--until takes in the whole day");
    String yesterday = Instant.parse(uploaded.get(0).get("at").asText()).atZone(ZoneOffset.UTC).toLocalDate()
        .minusDays(1).toString();
    assertEquals(List.of(), versions("--until", yesterday));
    assertEquals(List.of(), versions("--since", "2999-01-01"));
  }

  @Test
  void limitKeepsTheNewestAndSaysWhenMoreMatch() throws Exception {
    assertEquals(List.of(id(2), id(1)), versions("--limit", "2"));
    String text = ama.ok("ls", "models", "--limit", "2").out();
    assertTrue(text.endsWith("(the newest 2; more match: --limit N lists more)\n"), text);
    assertTrue(!ama.ok("ls", "models", "--limit", "3").out().contains("more match"));
  }

  @Test
  void withoutFiltersTheAliasListingStays() throws Exception {
    JsonNode aliases = JSON.readTree(ama.ok("ls", "models", "--json").out()).get("aliases");
    assertEquals("best", aliases.get(0).get("alias").asText());
    assertEquals(2, aliases.get(0).get("seq").asInt());
  }

  @Test
  void badValuesAreUsageErrorsThatShowTheAcceptedForms() {
    Ama.Result r = ama.run("ls", "models", "--since", "yesterday");
    assertEquals(2, r.code(), r.toString());
    assertEquals("ama: invalid --since 'yesterday': give an ISO date such as 2026-11-01 or an instant such as"
        + " 2026-11-01T10:00:00Z (or with an offset: 2026-11-01T11:00:00+01:00) (see 'ama ls --help')\n", r.err());

    Ama.Result label = ama.run("ls", "models", "--label", "stage");
    assertEquals(2, label.code(), label.toString());
    assertTrue(label.err().startsWith("ama: invalid --label 'stage': write it as KEY=VALUE"), label.err());

    Ama.Result limit = ama.run("ls", "models", "--limit", "0");
    assertEquals(2, limit.code(), limit.toString());
    assertTrue(limit.err().startsWith("ama: invalid --limit 0: give a number of at least 1"), limit.err());

    Ama.Result window = ama.run("ls", "models", "--since", "2026-11-02", "--until", "2026-11-01");
    assertEquals(2, window.code(), window.toString());
    assertTrue(window.err().contains("is not before --until"), window.err());

    Ama.Result noType = ama.run("ls", "--versions");
    assertEquals(2, noType.code(), noType.toString());
    assertTrue(noType.err().startsWith("ama: listing versions needs a TYPE"), noType.err());
  }

  @Test
  void anInstantWithAnOffsetIsAccepted() throws Exception {
    assertEquals(3, versions("--since", "2000-01-01T01:00:00+01:00").size());
  }
}
