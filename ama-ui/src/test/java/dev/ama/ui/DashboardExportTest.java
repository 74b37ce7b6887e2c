package dev.ama.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ama.AssetVersion;
import dev.ama.Digest;
import dev.ama.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static export: the server's answers as files, the content index, and a folder's safety. */
class DashboardExportTest {
  @TempDir static Path tmp;
  static SeededStore seed;
  static Api api;
  static Path site;
  static DashboardExport.Result result;

  @BeforeAll
  static void export() {
    seed = new SeededStore(tmp.resolve("seed"));
    api = new Api(seed.client);
    site = tmp.resolve("site");
    result = DashboardExport.write(seed.client, site);
  }

  @AfterAll
  static void close() {
    seed.client.close();
  }

  static JsonNode file(String name) throws IOException {
    Path f = site.resolve("api").resolve(name);
    assertTrue(Files.isRegularFile(f), name + " was not exported");
    return Api.JSON.readTree(Files.readAllBytes(f));
  }

  /** The answer as a browser reads it: numbers as JSON has them, whatever Java type built them. */
  static JsonNode parsed(JsonNode answer) throws IOException {
    return Api.JSON.readTree(Api.JSON.writeValueAsBytes(answer));
  }

  @Test
  void theResultCountsWhatWasWritten() throws IOException {
    assertEquals(site.resolve("index.html"), result.index());
    assertEquals(3, result.types());
    assertEquals(5, result.versions());
    try (var walk = Files.walk(site)) {
      assertEquals(result.files(), walk.filter(Files::isRegularFile).count());
    }
  }

  @Test
  void thePageIsTheServersInStaticMode() throws IOException {
    String page = Files.readString(site.resolve("index.html"));
    assertTrue(page.contains("<meta name=\"ama-mode\" content=\"static\">"), page);
    for (String name : WebResources.pageFiles()) {
      assertTrue(Files.isRegularFile(site.resolve(name)), name);
    }
  }

  @Test
  void everyAnswerIsTheServersAnswer() throws IOException {
    assertEquals(parsed(api.types()), file("types.json"));
    for (String type : List.of("training_params", "rnn_models", "eval_reports")) {
      assertEquals(parsed(api.allAliases(type)), file("aliases/" + type + ".json"));
      assertEquals(parsed(api.versions(type, 50, java.util.Optional.empty()).get("versions")), file("versions/" + type + "/1.json").get("versions"));
    }
    for (AssetVersion v : List.of(seed.inputs1, seed.inputs2, seed.model1, seed.model2, seed.report)) {
      String hex = v.version().hex();
      assertEquals(parsed(api.version(hex)), file("version/" + hex + ".json"));
      assertEquals(parsed(api.lineage(hex, "both", DashboardExport.LINEAGE_DEPTH)), file("lineage/" + hex + ".json"));
    }
    assertEquals(parsed(api.history("rnn_models", "my_model")), file("history/rnn_models/my_model.json"));
  }

  @Test
  void eachMoveOfAnAliasHasItsDiff() throws IOException {
    JsonNode promotion = file("diff/" + seed.model1.version().hex() + "/" + seed.model2.version().hex() + ".json");
    assertEquals(parsed(api.diff(seed.model1.version().hex(), seed.model2.version().hex())), promotion);
    JsonNode rollback = file("diff/" + seed.model2.version().hex() + "/" + seed.model1.version().hex() + ".json");
    assertEquals(seed.model1.version().toString(), rollback.get("to").get("version").asText());
  }

  @Test
  void theContentIndexMapsEachFilesDigestToTheVersionsHoldingIt() throws IOException {
    Digest weights;
    try (var in = Files.newInputStream(seed.modelWeights)) {
      weights = Digest.sha256(in);
    }
    JsonNode shard = file("content/" + weights.hex().substring(0, 2) + ".json");
    JsonNode matches = shard.get(weights.hex());
    assertEquals(1, matches.size());
    assertEquals(seed.model1.version().toString(), matches.get(0).get("version").asText());
    assertEquals("model.h5", matches.get(0).get("path").asText());
    // vocab.txt is in both training inputs.
    Digest vocab = seed.inputs1.file("vocab.txt").orElseThrow().digest();
    assertEquals(2, file("content/" + vocab.hex().substring(0, 2) + ".json").get(vocab.hex()).size());
  }

  @Test
  void aSecondExportReplacesTheFirstEntirely() throws IOException {
    Path again = tmp.resolve("again");
    DashboardExport.write(seed.client, again);
    Path stale = Files.writeString(again.resolve("api/version/" + "0".repeat(64) + ".json"), "{}");
    DashboardExport.write(seed.client, again);
    assertFalse(Files.exists(stale), "a version gone from the store must not linger in the export");
    assertTrue(Files.exists(again.resolve("api/types.json")));
  }

  @Test
  void aFolderWithOtherFilesOrAFileIsRefusedAndLeftAsItWas() throws IOException {
    Path notes = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(notes.resolve("todo.txt"), "keep me");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> DashboardExport.write(seed.client, notes));
    assertTrue(e.getMessage().contains(notes.toString()) && e.getMessage().contains("holds other files"), e.getMessage());
    try (var files = Files.list(notes)) {
      assertEquals(List.of(notes.resolve("todo.txt")), files.toList());
    }
    Path plain = Files.writeString(tmp.resolve("plain.txt"), "x");
    InvalidInputException f = assertThrows(InvalidInputException.class, () -> DashboardExport.write(seed.client, plain));
    assertTrue(f.getMessage().contains("it is a file"), f.getMessage());
    assertEquals("x", Files.readString(plain));
  }
}
