package dev.ama.examples;

import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.LoadedAsset;
import dev.ama.Ref;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The first example: a training job stores its inputs and its model, linked by a ref; a teammate
 * downloads the model with its inputs; a server loads it by alias from the local cache.
 *
 * <p>Run with a store location (a folder or URI) as the first argument, or none for a new
 * temporary folder.
 */
public final class TrainingJobExample {
  private TrainingJobExample() {}

  /** What the example produced, for its test to check. */
  public record Result(
      AssetVersion inputs,
      AssetVersion model,
      Path local,
      LoadedAsset loaded,
      Path modelFile,
      boolean same,
      List<AliasEntry> history,
      List<Ref> refs) {}

  /**
   * Runs the README's snippet, exactly as written there. The local cache is {@code AMA_CACHE},
   * else {@code ~/.cache/ama}.
   *
   * @param storeDir where the store lives
   * @param dir a folder holding {@code training.yml}, {@code model.h5} and {@code model.yml}
   * @param outDir where a teammate downloads the model
   */
  public static Result run(Path storeDir, Path dir, Path outDir) {
    AssetClient client = AssetClient.builder().store(storeDir.toUri().toString()).user("alice").build();
    AssetVersion inputs = client.newAsset("training_params")
        .add(dir.resolve("training.yml"))
        .alias("my_training_inputs")
        .upload();
    AssetVersion model = client.newAsset("rnn_models")
        .add(dir.resolve("model.h5"), dir.resolve("model.yml"))
        .alias("my_model")
        .ref("training_params", "my_training_inputs")
        .upload();
    Path local = client.download("rnn_models", "my_model").withRefs().to(outDir); // main asset's files directly in `local`
    LoadedAsset loaded = client.load("rnn_models", "my_model");                   // served from the local cache
    Path modelFile = loaded.file("model.h5");
    boolean same = loaded.version().equals(model.version());                      // true
    List<?> history = client.history("rnn_models", "my_model");                   // one entry per alias move
    List<?> refs = model.refs();                                                  // the pinned ref to `inputs`

    Result result = new Result(inputs, model, local, loaded, modelFile, same,
        client.history("rnn_models", "my_model"), model.refs());
    client.close();
    return result;
  }

  /** Writes small stand-ins for a training job's output files. */
  public static void writeSampleFiles(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("training.yml"), "learning_rate: 0.001\nepochs: 20\ndataset: reads-2026-10\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("model.yml"), "layers: [lstm, lstm, dense]\nhidden: 256\n", StandardCharsets.UTF_8);
    byte[] weights = new byte[256 * 1024];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (byte) (i * 31 + (i >> 8));
    }
    Files.write(dir.resolve("model.h5"), weights);
  }

  /** Runs the example and prints what happened. */
  public static void main(String[] args) throws IOException {
    Path work = Files.createTempDirectory("ama-example");
    Path store = args.length > 0 ? Path.of(args[0]) : work.resolve("store");
    Path files = work.resolve("job-output");
    writeSampleFiles(files);
    Result r = run(store, files, work.resolve("download"));
    System.out.println("store:     " + store);
    System.out.println("inputs:    " + r.inputs().version());
    System.out.println("model:     " + r.model().version() + " refs " + r.refs());
    System.out.println("download:  " + r.local());
    System.out.println("loaded:    " + r.modelFile() + " (same version: " + r.same() + ")");
    System.out.println("history:   " + r.history().size() + " alias move(s)");
  }
}
