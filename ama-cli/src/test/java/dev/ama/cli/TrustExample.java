package dev.ama.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes docs/trust-example/ afresh (run the tests with {@code -Dama.trustExample.regenerate=true}):
 * a one-version store signed by a new key, that key's public half and a policy requiring signed
 * versions and moves. The private key is thrown away; the README is written by hand.
 */
final class TrustExample {
  private TrustExample() {}

  static void regenerate(Path example, Path tmp) throws IOException {
    Ama ama = new Ama(tmp.resolve("example-run"));
    ama.ok("key", "generate", "--out", "keys");
    ama.write("model.yml", "layers: 3\nunits: 128\n");
    ama.write("training.yml", "learning_rate: 0.001\nepochs: 20\n");
    ama.ok("init", "rnn_models");
    ama.ok("add", "model.yml", "training.yml");
    ama.ok("set", "--alias", "prod");
    ama.ok("--user", "release-bot", "upload", "--sign", "keys/release.key.pem");
    Path store = example.resolve("store");
    if (Files.exists(store)) {
      try (Stream<Path> s = Files.walk(store)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    try (Stream<Path> s = Files.walk(ama.store)) {
      for (Path p : s.sorted().toList()) {
        Path rel = ama.store.relativize(p);
        // Temporary files and the upload's lease are no part of what a reader checks.
        if (rel.toString().startsWith(".ama-tmp") || rel.toString().startsWith("gc")) {
          continue;
        }
        Path dest = store.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest);
        }
      }
    }
    Files.copy(ama.work.resolve("keys/release.pub.pem"), example.resolve("release.pub.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(example.resolve("policy.yaml"), "# Every version must be signed by release, and so must moves of prod.\n"
        + "rules:\n  - types: \"*\"\n    versions: signed\n    keys: [release]\n  - types: rnn_models\n    aliases: prod\n"
        + "    moves: signed\n    keys: [release]\n");
  }
}
