package dev.ama.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AssetClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SkipTrainingExampleTest {
  @TempDir Path tmp;

  @Test
  void aJobWithAnAlreadyTrainedConfigurationReusesTheModel() throws Exception {
    try (AssetClient client = AssetClient.builder().store(tmp.resolve("store").toString()).cache(tmp.resolve("cache")).build()) {
      Path config = Files.createDirectories(tmp.resolve("config"));
      Files.writeString(config.resolve("training.yml"), "learning_rate: 0.001\n");

      SkipTrainingExample.Outcome first = SkipTrainingExample.runJob(client, config, tmp.resolve("run1"));
      SkipTrainingExample.Outcome second = SkipTrainingExample.runJob(client, config, tmp.resolve("run2"));
      Files.writeString(config.resolve("training.yml"), "learning_rate: 0.0005\n");
      SkipTrainingExample.Outcome third = SkipTrainingExample.runJob(client, config, tmp.resolve("run3"));

      assertTrue(first.trained());
      assertFalse(second.trained());
      assertEquals(first.inputs(), second.inputs());
      assertEquals(first.model(), second.model());
      assertFalse(Files.exists(tmp.resolve("run2/model.h5")), "the second run must not train");
      assertTrue(third.trained());
      assertNotEquals(first.model(), third.model());
    }
  }
}
