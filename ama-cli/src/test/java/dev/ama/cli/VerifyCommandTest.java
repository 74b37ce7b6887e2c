package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ama verify} on a real filesystem store, damaged by hand in each way it detects. */
class VerifyCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Ama ama;
  JsonNode inputs;
  JsonNode model;

  @BeforeEach
  void setUp() throws IOException {
    ama = new Ama(tmp);
    // Format 1: these tests damage loose blobs and index markers where format 1 keeps them.
    ama.env.put("AMA_STORE_FORMAT", "1");
    ama.ok("init", "params");
    ama.write("training.yml", "learning_rate: 0.001\n");
    ama.ok("add", "training.yml");
    ama.ok("set", "--alias", "my_training_inputs");
    inputs = JSON.readTree(ama.ok("upload", "--json").out());
    ama.ok("init", "models");
    ama.write("model.h5", "weights: 12345");
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", "my_model");
    ama.ok("add", "ref", "--alias", "my_training_inputs");
    model = JSON.readTree(ama.ok("upload", "--json").out());
  }

  private Path blobOf(JsonNode version, String path) {
    for (JsonNode f : version.get("files")) {
      if (f.get("path").asText().equals(path)) {
        String hex = f.get("digest").asText().substring("sha256:".length());
        return ama.store.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
      }
    }
    throw new AssertionError(path + " not in " + version);
  }

  private Path manifestOf(JsonNode version) {
    String hex = version.get("version").asText().substring("sha256:".length());
    return ama.store.resolve("manifests/sha256/" + hex.substring(0, 2) + "/" + hex + ".json");
  }

  @Test
  void aCleanStorePassesWithExitZero() {
    Ama.Result r = ama.run("verify");
    assertEquals(ExitCodes.OK, r.code(), r.toString());
    assertTrue(r.out().startsWith("checked " + ama.store.toUri()), r.out());
    assertTrue(r.out().contains("2 alias(es), 2 alias entries, 2 version(s), 2 blob(s)"), r.out());
    assertTrue(r.out().endsWith("ok: the store is consistent\n"), r.out());
    assertTrue(r.out().contains("--deep"), "says what a shallow check cannot see: " + r.out());
    assertEquals(ExitCodes.OK, ama.run("verify", "--deep").code());
  }

  @Test
  void aMissingBlobFailsNamingTheBlobAndTheAliasesItBreaks() throws IOException {
    Path blob = blobOf(inputs, "training.yml");
    Files.delete(blob);
    Ama.Result r = ama.run("verify");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    assertTrue(r.out().contains("PROBLEM  blob-missing  " + ama.store.relativize(blob)), r.out());
    // The model refs the inputs: downloading it with --refs breaks too.
    assertTrue(r.out().contains("affects aliases models/my_model, params/my_training_inputs;"
        + " alias entries models/my_model@1, params/my_training_inputs@1"), r.out());
    assertTrue(r.out().contains(model.get("version").asText()) && r.out().contains(inputs.get("version").asText()));
    assertTrue(r.out().endsWith("1 problem(s): the store is damaged\n"), r.out());
  }

  @Test
  void aTruncatedBlobFails() throws IOException {
    Files.writeString(blobOf(model, "model.h5"), "weights");
    Ama.Result r = ama.run("verify");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    assertTrue(r.out().contains("PROBLEM  blob-wrong-size") && r.out().contains("holds 7 bytes"), r.out());
    assertTrue(r.out().contains("affects aliases models/my_model;"), r.out());
  }

  @Test
  void aBlobReplacedBySameSizeBytesNeedsDeep() throws IOException {
    Files.writeString(blobOf(model, "model.h5"), "weights: 99999");
    Ama.Result shallow = ama.run("verify");
    assertEquals(ExitCodes.OK, shallow.code(), shallow.toString());
    assertTrue(shallow.out().contains("'ama verify --deep' also finds blobs replaced by other bytes of the same size"),
        shallow.out());
    Ama.Result deep = ama.run("verify", "--deep");
    assertEquals(ExitCodes.INTEGRITY, deep.code(), deep.toString());
    assertTrue(deep.out().contains("(deep)") && deep.out().contains("2 re-hashed"), deep.out());
    assertTrue(deep.out().contains("PROBLEM  blob-corrupt  " + ama.store.relativize(blobOf(model, "model.h5"))),
        deep.out());
    assertTrue(deep.out().contains("affects aliases models/my_model;"), deep.out());
  }

  @Test
  void aMissingManifestBehindAnAliasEntryFails() throws IOException {
    Files.delete(manifestOf(inputs));
    Ama.Result r = ama.run("verify");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    assertTrue(r.out().contains("PROBLEM  manifest-missing  " + ama.store.relativize(manifestOf(inputs))), r.out());
    assertTrue(r.out().contains("alias entry params/my_training_inputs@1 and a ref of version "
        + model.get("version").asText()), r.out());
    assertTrue(r.out().contains("affects aliases models/my_model, params/my_training_inputs;"), r.out());
  }

  @Test
  void aManifestWhoseBytesDoNotMatchItsIdFails() throws IOException {
    Path m = manifestOf(model);
    Files.writeString(m, Files.readString(m).replace("alice", "malice"));
    Ama.Result r = ama.run("verify");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    assertTrue(r.out().contains("PROBLEM  manifest-corrupt") && r.out().contains("is corrupt: its bytes hash to"),
        r.out());
    assertTrue(r.out().contains("affects aliases models/my_model;"), r.out());
  }

  @Test
  void aMissingIndexMarkerFailsAndRepairWritesItBack() throws IOException {
    String hex = model.get("version").asText().substring("sha256:".length());
    Path marker;
    try (var s = Files.list(ama.store.resolve("index/versions/models"))) {
      marker = s.filter(p -> p.getFileName().toString().endsWith(hex)).findFirst().orElseThrow();
    }
    Files.delete(marker);
    Ama.Result r = ama.run("verify");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    assertTrue(r.out().contains("PROBLEM  marker-missing  " + ama.store.relativize(marker)), r.out());

    Ama.Result repair = ama.run("verify", "--repair");
    assertEquals(ExitCodes.OK, repair.code(), repair.toString());
    assertTrue(repair.out().contains("REPAIRED marker-missing  " + ama.store.relativize(marker))
        && repair.out().contains("they were written again"), repair.out());
    assertTrue(repair.out().endsWith("ok: the store is consistent (1 problem(s) repaired)\n"), repair.out());
    assertTrue(Files.exists(marker));
    Ama.Result after = ama.run("verify");
    assertEquals(ExitCodes.OK, after.code(), after.toString());
    assertFalse(after.out().contains("PROBLEM"), after.out());
  }

  @Test
  void jsonReportsEachProblemWithItsKindKeyAndWhatItAffects() throws IOException {
    Files.delete(blobOf(model, "model.h5"));
    Ama.Result r = ama.run("verify", "--json");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    JsonNode report = JSON.readTree(r.out());
    assertFalse(report.get("ok").asBoolean());
    assertEquals(1, report.get("problems").size());
    JsonNode p = report.get("problems").get(0);
    assertEquals("blob-missing", p.get("kind").asText());
    assertEquals(ama.store.relativize(blobOf(model, "model.h5")).toString(), p.get("key").asText());
    assertEquals("models/my_model", p.get("affects").get("aliases").get(0).asText());
    assertEquals("models/my_model@1", p.get("affects").get("entries").get(0).asText());
    assertEquals(model.get("version").asText(), p.get("affects").get("versions").get(0).asText());
    assertEquals(2, report.get("checked").get("versions").asInt());
    assertEquals(0, report.get("leftovers").get("unreferencedBlobs").asInt());
  }

  @Test
  void leftoversAreReportedButPass() throws IOException {
    // An upload that crashed after its blob: nothing keeps the blob.
    Path orphan = ama.store.resolve("blobs/sha256/ab/" + "ab".repeat(32));
    Files.createDirectories(orphan.getParent());
    Files.writeString(orphan, "x");
    Ama.Result r = ama.run("verify");
    assertEquals(ExitCodes.OK, r.code(), r.toString());
    assertTrue(r.out().contains("leftover: 0 manifest(s) (0 B) and 1 blob(s) (1 B) that no alias entry keeps,"
        + " directly or through refs: unreferenced, gc can collect them"), r.out());
  }

  @Test
  void helpHasExamples() {
    Ama.Result r = ama.run("verify", "--help");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("Usage: ama verify") && r.out().contains("Examples:"), r.out());
    assertTrue(ama.ok("--help").out().contains("verify"));
  }
}
