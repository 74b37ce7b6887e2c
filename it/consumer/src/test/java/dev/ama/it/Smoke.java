package dev.ama.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.LoadedAsset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The smoke test every class path runs: a training job uploads, a server loads by alias. */
public final class Smoke {
  private Smoke() {}

  /**
   * Uploads two files under {@code rnn_models/my_model} through {@code writer}, then loads the
   * alias through {@code reader} (another client with its own cache, as on a serving machine)
   * and checks the version and every byte.
   */
  public static void uploadThenLoadByAlias(AssetClient writer, AssetClient reader, Path work) throws IOException {
    Files.createDirectories(work);
    byte[] model = new byte[300_000];
    for (int i = 0; i < model.length; i++) {
      model[i] = (byte) (i * 31 + 7);
    }
    Files.write(work.resolve("model.h5"), model);
    Files.writeString(work.resolve("model.yml"), "layers: 3\nlearning_rate: 0.001\n");

    AssetVersion uploaded = writer.newAsset("rnn_models")
        .add(work.resolve("model.h5"), work.resolve("model.yml"))
        .alias("my_model")
        .upload();

    LoadedAsset loaded = reader.load("rnn_models", "my_model");
    assertEquals(uploaded.version(), loaded.version());
    assertArrayEquals(model, Files.readAllBytes(loaded.file("model.h5")));
    assertEquals("layers: 3\nlearning_rate: 0.001\n",
        Files.readString(loaded.file("model.yml"), StandardCharsets.UTF_8));
  }
}
