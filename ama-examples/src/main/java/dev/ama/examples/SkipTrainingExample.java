package dev.ama.examples;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.LineageGraph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A training job that skips work already done. Its inputs are uploaded first; since identical
 * content is always the same version, a job with the same configuration finds the models
 * trained from it downstream and reuses one instead of training again (seed 004 salts a model's
 * identity with its configuration; here the inputs' digest is that salt).
 */
public final class SkipTrainingExample {
  private SkipTrainingExample() {}

  /** What one run of the job did. */
  public record Outcome(AssetVersion inputs, AssetVersion model, boolean trained) {}

  /**
   * Runs the job once.
   *
   * @param client the store to use
   * @param configDir holds {@code training.yml}
   * @param workDir where training writes the model
   */
  public static Outcome runJob(AssetClient client, Path configDir, Path workDir) throws IOException {
    AssetVersion inputs = client.newAsset("training_params").add(configDir.resolve("training.yml")).upload();

    Optional<AssetVersion> done = client.lineage(inputs, LineageGraph.Direction.DOWNSTREAM, 1).nodes().stream()
        .map(LineageGraph.Node::version)
        .filter(v -> v.type().equals("rnn_models"))
        .findFirst();
    if (done.isPresent()) {
      return new Outcome(inputs, done.get(), false);
    }

    Path model = train(configDir.resolve("training.yml"), workDir);
    AssetVersion trained = client.newAsset("rnn_models").add(model).ref(inputs).upload();
    return new Outcome(inputs, trained, true);
  }

  /** Stands in for hours of training: a model file derived from the configuration. */
  private static Path train(Path config, Path workDir) throws IOException {
    Files.createDirectories(workDir);
    Path model = workDir.resolve("model.h5");
    Files.writeString(model, "weights trained with " + Files.readString(config, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    return model;
  }

  /** Runs the job twice on one configuration and once on another, printing what each did. */
  public static void main(String[] args) throws IOException {
    Path work = Files.createTempDirectory("ama-skip");
    try (AssetClient client = AssetClient.builder().store(work.resolve("store").toString()).build()) {
      Path config = Files.createDirectories(work.resolve("config"));
      Files.writeString(config.resolve("training.yml"), "learning_rate: 0.001\n");
      System.out.println("first run:  trained=" + runJob(client, config, work.resolve("run1")).trained());
      System.out.println("second run: trained=" + runJob(client, config, work.resolve("run2")).trained());
      Files.writeString(config.resolve("training.yml"), "learning_rate: 0.0005\n");
      System.out.println("new config: trained=" + runJob(client, config, work.resolve("run3")).trained());
    }
  }
}
