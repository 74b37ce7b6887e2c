package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands of the seed document, verbatim, commas included. */
class SeedWorkflowTest {
  static final List<String> SEED = List.of(
      "ama init nlp_embeddings",
      "ama add git_commit_info_ckpt0.yml, run_config_ckpt0.yml, training.yml",
      "ama set --alias my_training_inputs",
      "ama upload",
      "ama init sequence_models",
      "ama add graph_version.txt, meta.yml, model.h5, model.yml, summary_dict.json",
      "ama set --alias my_model",
      "ama add ref --alias my_training_inputs",
      "ama upload");

  static final List<String> INPUTS = List.of("git_commit_info_ckpt0.yml", "run_config_ckpt0.yml", "training.yml");
  static final List<String> OUTPUTS =
      List.of("graph_version.txt", "meta.yml", "model.h5", "model.yml", "summary_dict.json");

  @TempDir Path tmp;

  /** Splits a seed line as a shell would (no quoting in the seeds) and drops the leading "ama". */
  static String[] argv(String line) {
    String[] words = line.trim().split("\\s+");
    assertEquals("ama", words[0]);
    return Arrays.copyOfRange(words, 1, words.length);
  }

  /** Writes the seed's training output folder: small YAML/JSON files and a 3 MiB binary model. */
  static Map<String, byte[]> writeTrainingOutput(Path dir) {
    Map<String, byte[]> files = new TreeMap<>();
    files.put("git_commit_info_ckpt0.yml", "model_repo: 3f2a9c1\n".getBytes(StandardCharsets.UTF_8));
    files.put("run_config_ckpt0.yml", "batch_size: 64\nepochs: 12\n".getBytes(StandardCharsets.UTF_8));
    files.put("training.yml", "learning_rate: 0.001\ndataset: gs://data/reads-2021\n".getBytes(StandardCharsets.UTF_8));
    files.put("graph_version.txt", "1.15\n".getBytes(StandardCharsets.UTF_8));
    files.put("meta.yml", "description: sequence model\ndate: 2021-03-02\n".getBytes(StandardCharsets.UTF_8));
    byte[] model = new byte[3 * 1024 * 1024 + 17];
    new Random(42).nextBytes(model);
    files.put("model.h5", model);
    files.put("model.yml", "layers: [lstm, lstm, dense]\n".getBytes(StandardCharsets.UTF_8));
    files.put("summary_dict.json", "{\"loss\": 0.0123}\n".getBytes(StandardCharsets.UTF_8));
    files.forEach((name, bytes) -> Ama.write(dir, name, bytes));
    return files;
  }

  @Test
  void seedCommandsRunVerbatimAndDownloadsAreByteExact() throws IOException {
    Ama ama = new Ama(tmp);
    Map<String, byte[]> files = writeTrainingOutput(ama.work);
    for (String line : SEED) {
      ama.ok(argv(line));
    }

    ama.ok(argv("ama download sequence_models --alias my_model"));
    Path modelDir = ama.work.resolve("my_model");
    assertEquals(OUTPUTS.stream().sorted().toList(), listFiles(modelDir));
    for (String name : OUTPUTS) {
      assertArrayEquals(files.get(name), Files.readAllBytes(modelDir.resolve(name)), name);
    }

    ama.ok(argv("ama download sequence_models --alias my_model --refs"));
    Path refDir = modelDir.resolve("refs/nlp_embeddings/my_training_inputs");
    for (String name : INPUTS) {
      assertArrayEquals(files.get(name), Files.readAllBytes(refDir.resolve(name)), name);
    }
    List<String> expected = new ArrayList<>(OUTPUTS);
    INPUTS.forEach(n -> expected.add("refs/nlp_embeddings/my_training_inputs/" + n));
    assertEquals(expected.stream().sorted().toList(), listFiles(modelDir));
  }

  @Test
  void downloadIntoAnotherFolderWithOutputOption() throws IOException {
    Ama ama = new Ama(tmp);
    Map<String, byte[]> files = writeTrainingOutput(ama.work);
    SEED.forEach(line -> ama.ok(argv(line)));

    Path elsewhere = tmp.resolve("serving");
    Ama.Result r = ama.ok("download", "nlp_embeddings", "--alias", "my_training_inputs", "-o", elsewhere.toString());
    assertTrue(r.out().contains("downloaded nlp_embeddings/my_training_inputs sha256:"), r.out());
    for (String name : INPUTS) {
      assertArrayEquals(files.get(name), Files.readAllBytes(elsewhere.resolve(name)), name);
    }
  }

  @Test
  void statusAfterUploadSaysWhatWasUploadedLast() {
    Ama ama = new Ama(tmp);
    writeTrainingOutput(ama.work);
    SEED.forEach(line -> ama.ok(argv(line)));

    String status = ama.ok("status").out();
    assertTrue(status.contains("asset:  sequence_models"), status);
    assertTrue(status.contains("files:  none staged"), status);
    assertTrue(status.contains("last upload: sequence_models/my_model sha256:"), status);
  }

  @Test
  void uploadedModelRefsTheTrainingInputsPinnedToTheirVersion() throws IOException {
    Ama ama = new Ama(tmp);
    writeTrainingOutput(ama.work);
    SEED.forEach(line -> ama.ok(argv(line)));

    ObjectMapper mapper = new ObjectMapper();
    var inputs = mapper.readTree(ama.ok("show", "nlp_embeddings", "--alias", "my_training_inputs", "--json").out());
    var model = mapper.readTree(ama.ok("show", "sequence_models", "--alias", "my_model", "--json").out());
    assertEquals(1, model.get("refs").size());
    var ref = model.get("refs").get(0);
    assertEquals("nlp_embeddings", ref.get("type").asText());
    assertEquals("my_training_inputs", ref.get("alias").asText());
    assertEquals(inputs.get("version").asText(), ref.get("version").asText());
  }

  static List<String> listFiles(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }
}
