package dev.ama.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingJobExampleTest {
  @TempDir Path tmp;

  @Test
  void snippetStoresDownloadsAndLoadsTheModelWithItsInputs() throws Exception {
    Path files = tmp.resolve("job");
    TrainingJobExample.writeSampleFiles(files);

    TrainingJobExample.Result r = TrainingJobExample.run(tmp.resolve("store"), files, tmp.resolve("out"));

    assertTrue(r.same());
    assertEquals(tmp.resolve("out"), r.local());
    assertArrayEquals(Files.readAllBytes(files.resolve("model.h5")), Files.readAllBytes(r.local().resolve("model.h5")));
    assertArrayEquals(Files.readAllBytes(files.resolve("model.yml")), Files.readAllBytes(r.local().resolve("model.yml")));
    assertArrayEquals(Files.readAllBytes(files.resolve("training.yml")),
        Files.readAllBytes(r.local().resolve("refs/training_params/my_training_inputs/training.yml")));
    assertArrayEquals(Files.readAllBytes(files.resolve("model.h5")), Files.readAllBytes(r.modelFile()));
    assertEquals(1, r.history().size());
    assertEquals(r.model().version(), r.history().get(0).version());
    assertEquals(1, r.refs().size());
    assertEquals(r.inputs().version(), r.refs().get(0).version());
  }

  @Test
  void runningTheJobTwiceWithTheSameFilesChangesNothing() throws Exception {
    Path files = tmp.resolve("job");
    TrainingJobExample.writeSampleFiles(files);
    TrainingJobExample.Result first = TrainingJobExample.run(tmp.resolve("store"), files, tmp.resolve("out"));

    TrainingJobExample.Result second = TrainingJobExample.run(tmp.resolve("store"), files, tmp.resolve("out"));

    assertEquals(first.model().version(), second.model().version());
    assertEquals(first.inputs().version(), second.inputs().version());
    assertEquals(1, second.history().size());
  }
}
