package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** find, diff, lineage, and version selectors (alias@N, digests) on show and download. */
class QueryCommandsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Ama ama;
  String inputsVersion;
  String firstModel;
  String secondModel;

  /** Inputs, then two versions of a model that ref them; the second changes the learning rate. */
  @BeforeEach
  void history() throws Exception {
    ama = new Ama(tmp);
    ama.write("training.yml", "optimizer:\n  learning_rate: 0.001\nepochs: 20\n");
    ama.ok("init", "params");
    ama.ok("add", "training.yml");
    ama.ok("set", "--alias", "inputs");
    inputsVersion = JSON.readTree(ama.ok("upload", "--json").out()).get("version").asText();

    ama.write("model.yml", "layers: 3\n");
    ama.write("model.h5", "weights one");
    ama.ok("init", "models");
    ama.ok("add", "model.yml, model.h5, training.yml");
    ama.ok("set", "--alias", "m");
    ama.ok("add", "ref", "--alias", "inputs");
    firstModel = JSON.readTree(ama.ok("upload", "--json").out()).get("version").asText();

    ama.write("training.yml", "optimizer:\n  learning_rate: 0.0005\nepochs: 20\n");
    ama.write("model.h5", "weights two");
    ama.ok("add", "model.yml, model.h5, training.yml");
    ama.ok("set", "--alias", "m");
    ama.ok("add", "ref", "--alias", "inputs");
    secondModel = JSON.readTree(ama.ok("upload", "--json").out()).get("version").asText();
  }

  @Test
  void findListsEveryVersionHoldingTheSameBytes() throws Exception {
    JsonNode found = JSON.readTree(ama.ok("find", "model.yml", "--json").out()).get("matches");
    assertEquals(2, found.size());
    assertEquals(secondModel, found.get(0).get("version").asText(), "newest first");
    assertEquals(firstModel, found.get(1).get("version").asText());
    assertEquals("model.yml", found.get(0).get("path").asText());
    assertEquals("[\"m\"]", found.get(0).get("aliases").toString());

    String table = ama.ok("find", "model.yml").out();
    assertTrue(table.startsWith("TYPE") && table.contains("models") && table.contains("model.yml"), table);
  }

  @Test
  void findByDigestMatchesFindByFile() throws Exception {
    JsonNode files = JSON.readTree(ama.ok("show", "models", "--alias", "m", "--json").out()).get("files");
    assertEquals("model.h5", files.get(0).get("path").asText());
    String digest = files.get(0).get("digest").asText();
    JsonNode byDigest = JSON.readTree(ama.ok("find", "--digest", digest, "--json").out()).get("matches");
    assertEquals(1, byDigest.size());
    assertEquals("model.h5", byDigest.get(0).get("path").asText());
  }

  @Test
  void findOfBytesInNoVersionSaysSoAndExitsNotFound() throws Exception {
    ama.write("other.txt", "never uploaded");
    Ama.Result r = ama.run("find", "other.txt");
    assertEquals(3, r.code(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("ama: no version holds a file identical to 'other.txt'"), r.err());
    Ama.Result json = ama.run("find", "other.txt", "--json");
    assertEquals(3, json.code(), json.toString());
    assertEquals("[]", JSON.readTree(json.out()).get("matches").toString(), json.out());
  }

  @Test
  void findNeedsExactlyOneOfFileAndDigest() {
    Ama.Result r = ama.run("find");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: find needs a FILE or --digest"), r.err());
    Ama.Result bad = ama.run("find", "--digest", "md5:abc");
    assertEquals(4, bad.code(), bad.toString());
  }

  @Test
  void diffShowsChangedFilesAndParameters() throws Exception {
    String text = ama.ok("diff", "models", "m@1", "m").out();
    assertTrue(text.contains("changed  model.h5"), text);
    assertTrue(text.contains("optimizer.learning_rate: 0.001 -> 0.0005"), text);
    assertTrue(text.contains("1 file(s) unchanged"), text);

    JsonNode json = JSON.readTree(ama.ok("diff", "models", "m@1", "m", "--json").out());
    assertEquals(firstModel, json.get("from").asText());
    assertEquals(secondModel, json.get("to").asText());
    assertEquals(1, json.get("unchanged").asInt());
    JsonNode training = null;
    for (JsonNode c : json.get("changed")) {
      if (c.get("path").asText().equals("training.yml")) {
        training = c;
      }
    }
    JsonNode p = training.get("parameters").get(0);
    assertEquals("optimizer.learning_rate", p.get("key").asText());
    assertEquals("0.001", p.get("before").asText());
    assertEquals("0.0005", p.get("after").asText());
  }

  @Test
  void diffOfAnUnknownSelectorIsNotFound() {
    Ama.Result r = ama.run("diff", "models", "m@7", "m");
    assertEquals(3, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void lineageGoesUpstreamAndDownstream() throws Exception {
    String up = ama.ok("lineage", "models", "--alias", "m").out();
    assertTrue(up.startsWith("models/m@" + secondModel.substring(7, 19)), up);
    assertTrue(up.contains("<- params/inputs@" + inputsVersion.substring(7, 19)), up);

    JsonNode down = JSON.readTree(ama.ok("lineage", "params", "--alias", "inputs", "--downstream", "--json").out());
    assertEquals("downstream", down.get("direction").asText());
    assertEquals(3, down.get("nodes").size(), "the inputs and both model versions");

    String dot = ama.ok("lineage", "models", "--alias", "m", "--format", "dot").out();
    assertTrue(dot.startsWith("digraph lineage {"), dot);
    String mermaid = ama.ok("lineage", "models", "--alias", "m", "--format", "mermaid").out();
    assertTrue(mermaid.startsWith("graph LR"), mermaid);
  }

  @Test
  void showAndDownloadAcceptAliasAtN() throws Exception {
    JsonNode first = JSON.readTree(ama.ok("show", "models", "--alias", "m@1", "--json").out());
    assertEquals(firstModel, first.get("version").asText());
    assertTrue(first.get("aliasEntry").isNull());

    ama.ok("download", "models", "--alias", "m@1");
    Path folder = ama.work.resolve("models-" + firstModel.substring(7, 19));
    assertEquals("weights one", Files.readString(folder.resolve("model.h5")));
  }

  @Test
  void showAndDownloadAcceptADigestPrefix() throws Exception {
    String prefix = firstModel.substring(7, 19);
    JsonNode shown = JSON.readTree(ama.ok("show", "models", "--alias", prefix, "--json").out());
    assertEquals(firstModel, shown.get("version").asText());
    Path out = tmp.resolve("by-digest");
    ama.ok("download", "models", "--alias", firstModel, "-o", out.toString());
    assertEquals("weights one", Files.readString(out.resolve("model.h5")));
  }

  @Test
  void diffAcrossTypesIsAllowedButSaid() {
    String text = ama.ok("diff", "models", "m", inputsVersion, "--to-type", "params").out();
    assertTrue(text.contains("note: the versions are of different asset types (models, params)"), text);
  }
}
