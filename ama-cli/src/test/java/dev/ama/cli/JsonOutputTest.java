package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The --json output of every command: one object with "schema": 1 first, lists in a named field,
 * by/at for who and when, times to the millisecond, digests as sha256:<hex>.
 */
class JsonOutputTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String DIGEST = "sha256:[0-9a-f]{64}";
  /** Every time AMA prints: ISO-8601 UTC to the millisecond, never without the fraction. */
  static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

  @TempDir Path tmp;
  Ama ama;

  @BeforeEach
  void twoUploads() {
    ama = new Ama(tmp);
    // Format 1: gc of this release refuses format 2 stores, and the JSON of every command is checked here.
    ama.env.put("AMA_STORE_FORMAT", "1");
    StoreCommandsTest.upload(ama, "params", "inputs", "training.yml", "lr: 0.001\n");
    ama.write("model.h5", "weights v1");
    ama.ok("init", "models");
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", "m", "--description", "d", "--label", "stage=dev");
    ama.ok("add", "ref", "--alias", "inputs");
    ama.ok("upload");
    ama.write("model.h5", "weights v2");
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", "m");
    ama.ok("upload");
  }

  JsonNode json(String... args) throws Exception {
    return JSON.readTree(ama.ok(args).out());
  }

  static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  @Test
  void logIsAListOfEntriesNewestFirst() throws Exception {
    JsonNode document = json("log", "models", "--alias", "m", "--json");
    assertEquals(List.of("schema", "entries"), fields(document));
    JsonNode log = document.get("entries");
    assertTrue(log.isArray());
    assertEquals(2, log.size());
    assertEquals(List.of("type", "alias", "seq", "version", "removed", "by", "at", "previous", "state"), fields(log.get(0)));
    assertEquals("stored", log.get(0).get("state").asText());
    assertEquals(2, log.get(0).get("seq").asLong());
    assertEquals(1, log.get(1).get("seq").asLong());
    assertTrue(log.get(0).get("version").asText().matches(DIGEST));
    assertEquals(log.get(1).get("version").asText(), log.get(0).get("previous").asText());
    assertTrue(log.get(1).get("previous").isNull());
    assertEquals("alice", log.get(0).get("by").asText());
    Instant.parse(log.get(0).get("at").asText());
  }

  @Test
  void showHasVersionFilesRefsAndMetadata() throws Exception {
    JsonNode show = json("show", "models", "--alias", "m", "--json");
    assertEquals(List.of("schema", "type", "alias", "version", "by", "at", "description", "labels", "size", "files",
        "refs", "aliasEntry", "signatures", "aliasSignedBy"), fields(show));
    assertTrue(show.get("signatures").isEmpty(), "an unsigned version");
    assertTrue(show.get("aliasSignedBy").isNull());
    assertEquals("models", show.get("type").asText());
    assertEquals("m", show.get("alias").asText());
    assertTrue(show.get("version").asText().matches(DIGEST));
    JsonNode file = show.get("files").get(0);
    assertEquals(List.of("path", "size", "digest"), fields(file));
    assertEquals("model.h5", file.get("path").asText());
    assertEquals(10, file.get("size").asLong());
    assertTrue(file.get("digest").asText().matches(DIGEST));
    assertEquals(0, show.get("refs").size(), "the second upload staged no ref");
    assertEquals(2, show.get("aliasEntry").get("seq").asLong());
  }

  @Test
  void uploadPrintsTheNewVersionWithItsRefPinned() throws Exception {
    JsonNode inputs = json("show", "params", "--alias", "inputs", "--json");
    JsonNode uploaded = JSON.readTree(uploadAgainWithRef());
    assertEquals("m", uploaded.get("alias").asText());
    JsonNode ref = uploaded.get("refs").get(0);
    assertEquals(List.of("type", "alias", "version"), fields(ref));
    assertEquals("params", ref.get("type").asText());
    assertEquals("inputs", ref.get("alias").asText());
    assertEquals(inputs.get("version").asText(), ref.get("version").asText());
  }

  private String uploadAgainWithRef() {
    ama.write("model.h5", "weights v3");
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", "m");
    ama.ok("add", "ref", "--alias", "inputs");
    return ama.ok("upload", "--json").out();
  }

  @Test
  void lsListsTypeNamesThenAliasEntries() throws Exception {
    JsonNode types = json("ls", "--json");
    assertEquals("{\"schema\":1,\"types\":[\"models\",\"params\"]}", types.toString());
    JsonNode aliases = json("ls", "models", "--json").get("aliases");
    assertEquals(1, aliases.size());
    assertEquals(List.of("type", "alias", "seq", "version", "removed", "by", "at", "previous"), fields(aliases.get(0)));
    assertEquals("m", aliases.get(0).get("alias").asText());
  }

  @Test
  void statusShowsTheStageAndTheLastUpload() throws Exception {
    ama.write("extra.txt", "x");
    ama.ok("add", "extra.txt");
    JsonNode status = json("status", "--json");
    assertEquals(List.of("schema", "workDir", "store", "storeOrigin", "type", "alias", "description", "labels", "files",
        "refs", "lastUpload", "transfers"), fields(status));
    assertEquals("models", status.get("type").asText());
    assertEquals("AMA_STORE", status.get("storeOrigin").asText());
    JsonNode file = status.get("files").get(0);
    assertEquals(List.of("path", "source", "size", "missing"), fields(file));
    assertEquals(1, file.get("size").asLong());
    assertEquals("models", status.get("lastUpload").get("type").asText());
    assertEquals("m", status.get("lastUpload").get("alias").asText());
    assertTrue(status.get("lastUpload").get("version").asText().matches(DIGEST));
  }

  @Test
  void uploadAndDownloadListTheVersionsSignaturesAsShowDoes() throws Exception {
    ama.ok("key", "generate", "--out", "keys");
    ama.write("model.h5", "weights v3");
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", "m");
    JsonNode uploaded = json("upload", "--sign", "keys/release.key.pem", "--json");
    JsonNode sig = uploaded.get("signatures").get(0);
    assertEquals(List.of("keyId", "name", "status"), fields(sig));
    assertTrue(sig.get("keyId").asText().matches("[0-9a-f]{64}"), sig.toString());
    assertTrue(sig.get("name").isNull(), "no trust policy names the key: " + sig);
    assertEquals("unknown-key", sig.get("status").asText());
    assertEquals(json("show", "models", "--alias", "m", "--json").get("signatures"), uploaded.get("signatures"));

    Path trust = java.nio.file.Files.createDirectories(tmp.resolve("trust"));
    java.nio.file.Files.copy(ama.work.resolve("keys/release.pub.pem"), trust.resolve("release.pub.pem"));
    ama.env.put("AMA_TRUST", trust.toString());
    JsonNode downloaded = json("download", "models", "--alias", "m", "--json");
    assertEquals(1, downloaded.get("signatures").size(), downloaded.toString());
    assertEquals("release", downloaded.get("signatures").get(0).get("name").asText());
    assertEquals("valid", downloaded.get("signatures").get(0).get("status").asText());
    assertEquals(json("show", "models", "--alias", "m", "--json").get("signatures"), downloaded.get("signatures"));
  }

  @Test
  void anUnsignedVersionHasNoSignaturesInUploadAndDownloadJson() throws Exception {
    assertEquals(0, JSON.readTree(uploadAgainWithRef()).get("signatures").size());
    assertEquals(0, json("download", "models", "--alias", "m", "--json").get("signatures").size());
  }

  @Test
  void downloadReportsTheVersionAndFolder() throws Exception {
    JsonNode download = json("download", "models", "--alias", "m", "--json");
    assertEquals(ama.work.resolve("m").toString(), download.get("dir").asText());
    assertTrue(download.get("version").asText().matches(DIGEST));
    assertEquals("model.h5", download.get("files").get(0).get("path").asText());
  }

  @Test
  void everyJsonOutputIsOneObjectWithTheSchemaVersionFirst() throws Exception {
    String inputs = json("show", "params", "--alias", "inputs", "--json").get("version").asText();
    List<String[]> commands = List.of(
        new String[] {"ls", "--json"}, new String[] {"ls", "models", "--json"},
        new String[] {"ls", "models", "--versions", "--json"}, new String[] {"show", "models", "--alias", "m", "--json"},
        new String[] {"log", "models", "--alias", "m", "--json"}, new String[] {"find", "--digest", inputsFileDigest(), "--json"},
        new String[] {"diff", "models", "m@1", "m", "--json"}, new String[] {"compare", "models", "m@1", "m", "--json"},
        new String[] {"lineage", "models", "--alias", "m@1", "--json"},
        new String[] {"lineage", "models", "--alias", "m@1", "--format", "json"}, new String[] {"status", "--json"},
        new String[] {"download", "models", "--alias", "m", "--json"}, new String[] {"verify", "--json"},
        new String[] {"gc", "--json"}, new String[] {"alias", "set", "params", "pinned", inputs, "--json"},
        new String[] {"cache", "ls", "--json"}, new String[] {"cache", "du", "--json"},
        new String[] {"cache", "verify", "--json"});
    for (String[] command : commands) {
      JsonNode document = json(command);
      assertTrue(document.isObject(), String.join(" ", command) + ": " + document);
      assertEquals("schema", fields(document).get(0), String.join(" ", command));
      assertEquals(Format.SCHEMA, document.get("schema").asInt(), String.join(" ", command));
    }
  }

  @Test
  void lineageNamesWhoAndWhenByAndAtAsTheOtherCommandsDo() throws Exception {
    JsonNode lineage = json("lineage", "models", "--alias", "m@1", "--json");
    assertEquals(List.of("schema", "root", "direction", "truncated", "nodes", "edges"), fields(lineage));
    JsonNode node = lineage.get("nodes").get(0);
    assertEquals(List.of("version", "type", "aliases", "depth", "by", "at"), fields(node));
    assertEquals("alice", node.get("by").asText());
    JsonNode show = json("show", "models", "--alias", "m@1", "--json");
    assertEquals(show.get("at"), node.get("at"), "the same time, written the same way");
    assertEquals(List.of("from", "to", "alias"), fields(lineage.get("edges").get(0)));
    assertEquals("inputs", lineage.get("edges").get(0).get("alias").asText());
  }

  @Test
  void timesAreUtcToTheMillisecondInJsonAndInTables() throws Exception {
    List<String> times = new ArrayList<>();
    JsonNode show = json("show", "models", "--alias", "m", "--json");
    times.add(show.get("at").asText());
    times.add(show.get("aliasEntry").get("at").asText());
    json("log", "models", "--alias", "m", "--json").get("entries").forEach(e -> times.add(e.get("at").asText()));
    json("ls", "models", "--versions", "--json").get("versions").forEach(v -> times.add(v.get("at").asText()));
    json("lineage", "models", "--alias", "m@1", "--json").get("nodes").forEach(n -> times.add(n.get("at").asText()));
    times.add(json("status", "--json").get("lastUpload").get("at").asText());
    for (String time : times) {
      assertTrue(time.matches(TIME), time);
    }
    String at = show.get("at").asText();
    assertTrue(ama.ok("show", "models", "--alias", "m").out().contains("created:     " + at + " by alice"));
    assertTrue(ama.ok("ls", "models", "--versions").out().contains(at));
    String moved = show.get("aliasEntry").get("at").asText(); // the alias's move, a moment after the upload
    assertTrue(ama.ok("log", "models", "--alias", "m").out().contains(moved));
    assertTrue(ama.ok("lineage", "models", "--alias", "m").out().contains(at));
  }

  @Test
  void aTimeWithoutMillisecondsStillShowsTheFraction() {
    assertEquals("2026-11-22T07:50:12.000Z", Format.time(Instant.parse("2026-11-22T07:50:12Z")));
    assertEquals("2026-11-22T07:50:12.345Z", Format.time(Instant.parse("2026-11-22T07:50:12.345678Z")));
  }

  private String inputsFileDigest() throws Exception {
    return json("show", "params", "--alias", "inputs", "--json").get("files").get(0).get("digest").asText();
  }
}
