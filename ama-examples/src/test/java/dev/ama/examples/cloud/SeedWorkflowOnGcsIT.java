package dev.ama.examples.cloud;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.gcs.testing.GcsTestServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed workflow through {@code ama} on a {@code gs://} store served by the GCS test server. */
class SeedWorkflowOnGcsIT {
  @TempDir Path tmp;

  @Test
  void seedCommandsRoundTripThroughAGcsBucket() throws Exception {
    try (GcsTestServer gcs = GcsTestServer.start()) {
      gcs.createBucket("models");
      Map<String, String> env = new HashMap<>(gcs.environment());
      env.put("AMA_STORE", "gs://models/team");

      new SeedWorkflow(tmp, env).runAndCheck();

      try (Storage bucket = Storages.open(gcs.storeUri("models", "team"))) {
        assertTrue(bucket.stat("aliases/sequence_models/my_model/0000000001.json").isPresent(),
            "the alias entry must have been written to the GCS bucket");
      }
    }
  }
}
