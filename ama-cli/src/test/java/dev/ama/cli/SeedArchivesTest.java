package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' archives: seed 000's bucket of model zips (inputs and outputs in one zip) imported as
 * two linked versions, and seed 002's serving code given one compressed archive with fixed names.
 */
class SeedArchivesTest {
  @TempDir Path tmp;

  @Test
  void aModelZipBecomesInputsAndAModelLinkedToThemAndComesBackAsATarGzWithTheSameNames() throws IOException {
    Ama ama = new Ama(tmp);
    Map<String, byte[]> files = SeedWorkflowTest.writeTrainingOutput(tmp.resolve("output_dir"));
    List<TestArchives.Entry> entries = new ArrayList<>();
    files.forEach((name, bytes) -> entries.add(TestArchives.Entry.file(name, bytes)));
    TestArchives.zip(ama.work.resolve("rnn_model_2021-03-02.zip"), entries.toArray(TestArchives.Entry[]::new));

    List<String> inputs = new ArrayList<>(List.of("import", "rnn_model_2021-03-02.zip", "--type", "nlp_embeddings",
        "--alias", "my_training_inputs"));
    List<String> model = new ArrayList<>(List.of("import", "rnn_model_2021-03-02.zip", "--type", "sequence_models",
        "--alias", "my_model", "--ref", "nlp_embeddings/my_training_inputs"));
    for (String input : SeedWorkflowTest.INPUTS) {
      inputs.addAll(List.of("--include", input));
      model.addAll(List.of("--exclude", input));
    }
    ama.ok(inputs.toArray(String[]::new));
    ama.ok(model.toArray(String[]::new));

    JsonNode shown = new ObjectMapper().readTree(ama.ok("show", "sequence_models", "--alias", "my_model", "--json").out());
    List<String> paths = new ArrayList<>();
    shown.get("files").forEach(f -> paths.add(f.get("path").asText()));
    assertEquals(SeedWorkflowTest.OUTPUTS, paths);
    assertEquals("my_training_inputs", shown.get("refs").get(0).get("alias").asText());

    ama.ok("download", "sequence_models", "--alias", "my_model", "--archive", "serving/model.tar.gz");
    Map<String, byte[]> packed = tarEntries(ama.work.resolve("serving/model.tar.gz"));
    assertEquals(SeedWorkflowTest.OUTPUTS, List.copyOf(packed.keySet()));
    for (String name : SeedWorkflowTest.OUTPUTS) {
      assertArrayEquals(files.get(name), packed.get(name), name);
    }
  }

  @Test
  void aRefToAnUnknownAliasFailsBeforeTheArchiveIsReadWithNothingStored() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.zip(ama.work.resolve("m.zip"), TestArchives.Entry.file("model.h5", "w"));
    TestArchives.zip(ama.work.resolve("inputs.zip"), TestArchives.Entry.file("training.yml", "lr: 1"));
    ama.ok("import", "inputs.zip", "--type", "nlp_embeddings", "--alias", "my_training_inputs");

    Ama.Result r = ama.run("import", "m.zip", "--type", "models", "--ref", "nlp_embeddings/my_training_input");
    Ama.Result bad = ama.run("import", "m.zip", "--type", "models", "--ref", "no-slash");

    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("my_training_inputs"), "suggests the near name: " + r.err());
    assertEquals(4, bad.code(), bad.toString());
    assertTrue(bad.err().contains("write it as TYPE/SELECTOR"), bad.err());
    assertEquals(List.of("nlp_embeddings"), List.of(ama.ok("ls").out().strip().split("\\s+")));
  }

  static Map<String, byte[]> tarEntries(Path tgz) throws IOException {
    Map<String, byte[]> entries = new TreeMap<>();
    try (InputStream gz = new GZIPInputStream(Files.newInputStream(tgz));
        TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        entries.put(e.getName(), tar.readAllBytes());
      }
    }
    return entries;
  }
}
