package dev.ama.ui;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The seed documents' example as a real filesystem store: training inputs made into a model,
 * the model's alias promoted to a second version and rolled back, and an evaluation made from
 * the model, so the lineage graph spans three types. rnn_models also has prod, staging and a
 * removed canary alias.
 */
final class SeededStore {
  final Path root;
  final AssetClient client;
  final AssetVersion inputs1;
  final AssetVersion inputs2;
  final AssetVersion model1;
  final AssetVersion model2;
  final AssetVersion report;
  /** A file of model1, to find by content. */
  final Path modelWeights;

  SeededStore(Path root) {
    this.root = root;
    this.client = AssetClient.builder().store(root.resolve("store").toString()).cache(root.resolve("cache"))
        .user("alice").build();
    Path src = dir("src");
    inputs1 = client.newAsset("training_params")
        .add("training.yml", write(src, "t1/training.yml", "learning_rate: 0.001\nepochs: 10\n"))
        .add("vocab.txt", write(src, "t1/vocab.txt", "a\nb\nc\n"))
        .alias("my_training_inputs").description("Inputs of the first training run").label("dataset", "wiki-2026")
        .upload();
    model1 = client.newAsset("rnn_models")
        .add("model.h5", write(src, "m1/model.h5", "weights of the first model"))
        .add("model.yml", write(src, "m1/model.yml", "layers: 2\nunits: 128\n"))
        .add("summary_dict.json", write(src, "m1/summary_dict.json", "{\"accuracy\": 0.91}"))
        .ref("training_params", "my_training_inputs").alias("my_model").upload();
    modelWeights = src.resolve("m1/model.h5");
    inputs2 = client.newAsset("training_params")
        .add("training.yml", write(src, "t2/training.yml", "learning_rate: 0.0005\nepochs: 10\n"))
        .add("vocab.txt", src.resolve("t1/vocab.txt"))
        .alias("my_training_inputs").upload();
    model2 = client.newAsset("rnn_models")
        .add("model.h5", write(src, "m2/model.h5", "weights of the second model"))
        .add("model.yml", write(src, "m2/model.yml", "layers: 3\nunits: 128\n"))
        .add("summary_dict.json", write(src, "m2/summary_dict.json", "{\"accuracy\": 0.88}"))
        .ref("training_params", "my_training_inputs").alias("my_model").upload();
    // The second model did worse: my_model goes back to the first.
    client.setAlias("rnn_models", "my_model", "my_model@1");
    client.setAlias("rnn_models", "prod", "my_model");
    client.setAlias("rnn_models", "staging", model2.version().toString());
    client.setAlias("rnn_models", "canary", "staging");
    client.removeAlias("rnn_models", "canary");
    report = client.newAsset("eval_reports")
        .add("report.json", write(src, "r1/report.json", "{\"bleu\": 31.2}"))
        .ref("rnn_models", "my_model").alias("latest").upload();
  }

  private Path dir(String name) {
    try {
      return Files.createDirectories(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path dir, String name, String text) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
