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

/** The --json output of every reading command: stable field names, digests as sha256:<hex>. */
class JsonOutputTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String DIGEST = "sha256:[0-9a-f]{64}";

  @TempDir Path tmp;
  Ama ama;

  @BeforeEach
  void twoUploads() {
    ama = new Ama(tmp);
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
    JsonNode log = json("log", "models", "--alias", "m", "--json");
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
    assertEquals(List.of("type", "alias", "version", "by", "at", "description", "labels", "size", "files", "refs",
        "aliasEntry", "signatures", "aliasSignedBy"), fields(show));
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
    assertEquals("[\"models\",\"params\"]", types.toString());
    JsonNode aliases = json("ls", "models", "--json");
    assertEquals(1, aliases.size());
    assertEquals(List.of("type", "alias", "seq", "version", "removed", "by", "at", "previous"), fields(aliases.get(0)));
    assertEquals("m", aliases.get(0).get("alias").asText());
  }

  @Test
  void statusShowsTheStageAndTheLastUpload() throws Exception {
    ama.write("extra.txt", "x");
    ama.ok("add", "extra.txt");
    JsonNode status = json("status", "--json");
    assertEquals(List.of("workDir", "store", "storeOrigin", "type", "alias", "description", "labels", "files", "refs",
        "lastUpload", "transfers"), fields(status));
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
  void downloadReportsTheVersionAndFolder() throws Exception {
    JsonNode download = json("download", "models", "--alias", "m", "--json");
    assertEquals(ama.work.resolve("m").toString(), download.get("dir").asText());
    assertTrue(download.get("version").asText().matches(DIGEST));
    assertEquals("model.h5", download.get("files").get(0).get("path").asText());
  }
}
