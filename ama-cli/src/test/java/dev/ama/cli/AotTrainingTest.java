package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workload bin/ama trains its AOT cache from runs every command it lists successfully, so a
 * cache never records an error path instead of the commands people run, and it keeps to its folder.
 */
class AotTrainingTest {
  @TempDir Path tmp;

  @Test
  void everyTrainingCommandSucceedsInsideItsOwnFolder() throws IOException {
    assertEquals(0, AotTraining.train(tmp));

    assertTrue(Files.isDirectory(tmp.resolve("store/manifests")), "the upload reached the temporary store");
    assertTrue(Files.isRegularFile(tmp.resolve("down/weights.bin")), "the download reached the temporary folder");
    try (var entries = Files.list(tmp)) {
      assertEquals(java.util.Set.of("work", "home", "store", "cache", "down"),
          entries.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
    }
  }

  @Test
  void theS3CommandsSucceedAgainstTheTrainingEndpointAndLeaveNoSdkSetting() throws IOException {
    String before = System.getProperty("aws.accessKeyId");

    assertEquals(0, AotTraining.trainS3(tmp));

    assertTrue(Files.isRegularFile(tmp.resolve("down-s3/shard-0.bin")), "the download from the endpoint arrived");
    assertEquals(64 << 10, Files.size(tmp.resolve("down-s3/shard-0.bin")));
    assertEquals(before, System.getProperty("aws.accessKeyId"), "the SDK's credentials property is put back");
    try (var entries = Files.list(tmp)) {
      assertEquals(java.util.Set.of("work-s3", "home", "cache-s3", "down-s3"),
          entries.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
    }
  }
}
