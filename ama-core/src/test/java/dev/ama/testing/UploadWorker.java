package dev.ama.testing;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * A separate process that uploads versions under one alias, for tests racing several writers on
 * one filesystem store the way several training jobs would.
 *
 * <p>Usage: {@code UploadWorker <storeDir> <workDir> <type> <alias> <workerId> <count>}. The worker
 * announces itself by creating {@code workDir/ready-<workerId>}, waits for {@code workDir/go} so
 * that all workers start uploading together, then uploads {@code count} versions, each with a file
 * only it has ({@code model.bin}) and a file every worker shares ({@code shared.txt}), printing
 * {@code VERSION <version id> <model.bin digest>} for each, between {@code STARTED <epoch ms>}
 * and {@code FINISHED <epoch ms>}. It exits 0 on success, 1 on any error
 * (with the stack trace on stderr).
 */
public final class UploadWorker {
  /** Content every version of every worker has, so that workers also race for the same blob. */
  public static final String SHARED_CONTENT = "shared by every worker\n";

  private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(60);

  private UploadWorker() {}

  /** The system property giving the format of a store the worker creates (1 if unset). */
  public static final String FORMAT_PROPERTY = "ama.test.storeFormat";

  /** The content of {@code model.bin} for one worker and upload, so the test can recompute it. */
  public static byte[] modelContent(int worker, int upload) {
    byte[] bytes = new byte[48 * 1024 + 17 * worker + upload];
    new Random(1000L * worker + upload).nextBytes(bytes);
    byte[] header = ("worker " + worker + " upload " + upload + "\n").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(header, 0, bytes, 0, header.length);
    return bytes;
  }

  /** Runs one worker; see the class comment for the arguments. */
  public static void main(String[] args) {
    try {
      if (args.length != 6) {
        throw new IllegalArgumentException(
            "usage: UploadWorker <storeDir> <workDir> <type> <alias> <workerId> <count>");
      }
      run(Path.of(args[0]), Path.of(args[1]), args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(Path store, Path work, String type, String alias, int worker, int count) throws Exception {
    try (AssetClient client = AssetClient.builder()
        .store(store.toString())
        .user("worker-" + worker)
        .newStoreFormat(Integer.getInteger(FORMAT_PROPERTY, 1))
        .cache(work.resolve("cache-" + worker))
        .build()) {
      Files.createFile(work.resolve("ready-" + worker));
      long deadline = System.nanoTime() + BARRIER_TIMEOUT.toNanos();
      while (!Files.exists(work.resolve("go"))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("worker " + worker + ": no go signal within " + BARRIER_TIMEOUT);
        }
        Thread.sleep(2);
      }
      System.out.println("STARTED " + System.currentTimeMillis());
      for (int i = 0; i < count; i++) {
        Path dir = Files.createDirectories(work.resolve("files-" + worker + "-" + i));
        Path model = Files.write(dir.resolve("model.bin"), modelContent(worker, i));
        Path shared = Files.writeString(dir.resolve("shared.txt"), SHARED_CONTENT);
        AssetVersion v = client.newAsset(type)
            .add(model, shared)
            .alias(alias)
            .label("worker", Integer.toString(worker))
            .upload();
        System.out.println("VERSION " + v.version() + " " + v.file("model.bin").orElseThrow().digest());
      }
      System.out.println("FINISHED " + System.currentTimeMillis());
      System.out.flush();
    }
  }
}
