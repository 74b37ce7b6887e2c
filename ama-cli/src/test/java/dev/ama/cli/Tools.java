package dev.ama.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs programs that are not AMA, for independent checks of what AMA wrote. */
final class Tools {
  record Run(int code, String output) {}

  private Tools() {}

  static boolean has(String... command) {
    try {
      return run(Path.of("."), command).code() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  static Run run(Path dir, String... command) throws IOException {
    Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within 60 s");
      }
      return new Run(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
