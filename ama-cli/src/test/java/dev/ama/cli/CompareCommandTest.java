package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ama compare: parameters of several versions side by side. */
class CompareCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Ama ama;
  String first;
  String second;
  String third;

  /**
   * Three versions of one alias: the second changes the learning rate, the third adds dropout and
   * drops model.yml.
   */
  @BeforeEach
  void versions() throws Exception {
    ama = new Ama(tmp);
    ama.ok("init", "models");
    ama.write("model.yml", "layers: 3\n");
    ama.write("model.h5", "weights");
    first = upload("optimizer:\n  learning_rate: 0.001\nepochs: 20\n", "model.yml, model.h5, training.yml");
    second = upload("optimizer:\n  learning_rate: 0.0005\nepochs: 20\n", "model.yml, model.h5, training.yml");
    third = upload("optimizer:\n  learning_rate: 0.0005\nepochs: 20\ndropout: 0.1\n", "model.h5, training.yml");
  }

  private String upload(String training, String files) throws Exception {
    ama.write("training.yml", training);
    ama.ok("add", files);
    ama.ok("set", "--alias", "m");
    return JSON.readTree(ama.ok("upload", "--json").out()).get("version").asText();
  }

  @Test
  void printsOnlyDifferingRowsWithTheSelectorsAndShortDigestsAsColumns() {
    List<String> lines = ama.ok("compare", "models", "m@1", "m@2").out().lines().toList();
    assertEquals(List.of(
        "KEY                                   m@1                  m@2",
        "                                      sha256:" + first.substring(7, 19) + "  sha256:" + second.substring(7, 19),
        "training.yml:optimizer.learning_rate  0.001                0.0005",
        "1 parameter(s) differ; 2 equal parameter(s) not shown (--all shows them)"), lines);
  }

  @Test
  void allPrintsEveryRowAndMarksTheDifferingOnes() {
    String text = ama.ok("compare", "models", "m@1", "m@2", "--all").out();
    List<String> lines = text.lines().toList();
    assertEquals(6, lines.size(), text);
    assertTrue(lines.get(2).startsWith("*  training.yml:optimizer.learning_rate  0.001"), text);
    assertTrue(lines.get(3).matches(" {3}model\\.yml:layers +3 +3"), text);
    assertTrue(lines.get(4).matches(" {3}training\\.yml:epochs +20 +20"), text);
    assertEquals("1 of 3 parameter(s) differ", lines.get(5));
  }

  @Test
  void missingValuesShowAsDashAndJsonNull() throws Exception {
    String text = ama.ok("compare", "models", "m@1", "m@2", "m").out();
    assertTrue(text.lines().anyMatch(l -> l.matches("training\\.yml:dropout +- +- +0\\.1")), text);
    assertTrue(text.lines().anyMatch(l -> l.matches("model\\.yml:layers +3 +3 +-")), text);

    JsonNode json = JSON.readTree(ama.ok("compare", "models", "m@1", "m@2", "m", "--json").out());
    assertEquals(List.of("m@1", "m@2", "m"), json.get("versions").findValuesAsText("selector"));
    assertEquals(List.of(first, second, third), json.get("versions").findValuesAsText("version"));
    assertEquals("models", json.get("versions").get(0).get("type").asText());
    JsonNode rows = json.get("rows");
    assertEquals(4, rows.size(), "JSON holds every row, equal ones too: " + rows);
    JsonNode layers = rows.get(0);
    assertEquals("model.yml:layers", layers.get("key").asText(), "differing rows first, by key");
    assertEquals("[\"3\",\"3\",null]", layers.get("values").toString());
    assertTrue(layers.get("differs").asBoolean());
    JsonNode epochs = rows.get(3);
    assertEquals("training.yml:epochs", epochs.get("key").asText());
    assertEquals(false, epochs.get("differs").asBoolean());
  }

  @Test
  void oneFileComparesItsKeysWithoutTheFileName() {
    String text = ama.ok("compare", "models", "m@1", "m", "--file", "training.yml").out();
    assertTrue(text.lines().anyMatch(l -> l.matches("optimizer\\.learning_rate +0\\.001 +0\\.0005")), text);
    assertTrue(text.lines().anyMatch(l -> l.matches("dropout +- +0\\.1")), text);
    assertTrue(text.endsWith("2 parameter(s) differ; 1 equal parameter(s) not shown (--all shows them)\n"), text);
  }

  @Test
  void aVersionWithoutTheFileIsNamedWithItsFiles() {
    Ama.Result r = ama.run("compare", "models", "m@1", "m", "--file", "model.yml");
    assertEquals(3, r.code(), r.toString());
    assertEquals("ama: version m (sha256:" + third.substring(7, 19) + ") of models has no file 'model.yml'."
        + " Its files: model.h5, training.yml; compare a file every version has, or leave out --file to compare"
        + " all YAML and JSON files\n", r.err());
    assertEquals("", r.out());
  }

  @Test
  void aMisspelledFileGetsASuggestion() {
    Ama.Result r = ama.run("compare", "models", "m@1", "m", "--file", "trainig.yml");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("has no file 'trainig.yml'. Did you mean 'training.yml'? Its files:"), r.err());
  }

  @Test
  void equalVersionsSaySo() {
    String text = ama.ok("compare", "models", "m@2", first.substring(7, 19), "--file", "model.yml").out();
    assertEquals("all 1 parameter(s) are equal\n", text);
  }

  @Test
  void unknownSelectorIsNotFoundOnOneLine() {
    Ama.Result r = ama.run("compare", "models", "m@1", "m@9");
    assertEquals(3, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("m@9"), r.err());
  }

  @Test
  void oneVersionIsAUsageError() {
    Ama.Result r = ama.run("compare", "models", "m");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: ") && r.err().contains("(see 'ama compare --help')"), r.err());
  }

  @Test
  void versionsWithoutParameterFilesSayWhatToDo() throws Exception {
    ama.ok("init", "blobs");
    ama.write("a.bin", "one");
    ama.ok("add", "a.bin");
    ama.ok("set", "--alias", "b");
    ama.ok("upload");
    ama.write("a.bin", "two");
    ama.ok("add", "a.bin");
    ama.ok("set", "--alias", "b");
    ama.ok("upload");
    assertTrue(ama.ok("compare", "blobs", "b@1", "b").out().startsWith("no parameters to compare: none of the versions"
        + " holds a YAML or JSON file"));
    assertEquals("[]", JSON.readTree(ama.ok("compare", "blobs", "b@1", "b", "--json").out()).get("rows").toString());
  }
}
