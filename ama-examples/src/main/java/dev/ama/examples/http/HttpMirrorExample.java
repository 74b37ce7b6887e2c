package dev.ama.examples.http;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.LoadedAsset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serving from a plain web server: a training job uploads a model to a store folder, a web server
 * (here {@link StaticFileServer}; in production nginx or a CDN) serves that folder, and a serving
 * machine loads the model by alias from {@code http://...} through {@link HttpMirrorStorage},
 * which AMA finds by the URI scheme. The mirror can neither write nor list; loading by alias
 * needs neither.
 */
public final class HttpMirrorExample {
  private HttpMirrorExample() {}

  /** What the example did, for its test to check. */
  public record Result(
      AssetVersion first, AssetVersion second, LoadedAsset loadedFirst, LoadedAsset loadedSecond, long httpRequests) {}

  /**
   * Uploads two versions of {@code rnn_models/my_model} to {@code storeDir}, loading the alias
   * over HTTP after each.
   *
   * @param storeDir the store folder the web server serves
   * @param work a scratch folder for the model files and the two machines' caches
   */
  public static Result run(Path storeDir, Path work) throws IOException {
    Path model = Files.createDirectories(work.resolve("model"));
    Files.writeString(model.resolve("model.yml"), "layers: 2\nunits: 128\n", StandardCharsets.UTF_8);
    Files.write(model.resolve("model.h5"), new byte[] {1, 2, 3, 4});

    try (AssetClient trainer = AssetClient.builder().store(storeDir.toString()).user("trainer")
            .cache(work.resolve("trainer-cache")).build();
        StaticFileServer web = StaticFileServer.serve(storeDir);
        AssetClient serving = AssetClient.builder().store(web.uri().toString()) // http://127.0.0.1:PORT/
            .cache(work.resolve("serving-cache")).build()) {
      AssetVersion first = trainer.newAsset("rnn_models")
          .add(model.resolve("model.h5"), model.resolve("model.yml")).alias("my_model").upload();
      LoadedAsset loadedFirst = serving.load("rnn_models", "my_model");

      Files.write(model.resolve("model.h5"), new byte[] {5, 6, 7, 8, 9});
      AssetVersion second = trainer.newAsset("rnn_models")
          .add(model.resolve("model.h5"), model.resolve("model.yml")).alias("my_model").upload();
      LoadedAsset loadedSecond = serving.load("rnn_models", "my_model"); // the moved alias, no listing
      return new Result(first, second, loadedFirst, loadedSecond, web.requestCount());
    }
  }

  /**
   * Runs the example in the folder given as the first argument, or in a new temporary folder, and
   * prints what the serving machine loaded.
   */
  public static void main(String[] args) throws IOException {
    Path work = args.length > 0
        ? Files.createDirectories(Path.of(args[0]))
        : Files.createTempDirectory("ama-http-mirror-");
    Result r = run(work.resolve("store"), work);
    System.out.println("uploaded " + r.first().version() + ", then " + r.second().version());
    System.out.println("loaded over HTTP: " + r.loadedSecond().version() + " in " + r.loadedSecond().dir()
        + " (" + r.httpRequests() + " HTTP requests)");
  }
}
