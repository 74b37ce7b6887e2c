package dev.ama.cli;

import dev.ama.SigningKey;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    description = {
      "Manage signing keys.",
      "",
      "AMA signs versions and alias moves with Ed25519 keys. The private key signs (keep it secret: a CI secret,"
          + " a release manager's machine); the public key goes into the trust folder of every client that must"
          + " check signatures (--trust DIR, AMA_TRUST). See docs/trust.md.",
      ""
    },
    subcommands = {KeyCommand.Generate.class})
final class KeyCommand extends AmaCommand {
  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return ExitCodes.OK;
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Create a new signing key pair.",
        "",
        "Writes NAME.key.pem (PKCS#8, readable by you only) and NAME.pub.pem (X.509 SubjectPublicKeyInfo) into DIR,"
            + " and prints the key id signatures will name (SHA-256 of the public key). Never replaces a file.",
        ""
      },
      footer = {"%nExamples:", "  ama key generate --out keys", "  ama key generate --out keys --name ci"})
  static final class Generate extends AmaCommand {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write the key pair into.")
    String out;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "release",
        description = "The key's name, used for its files and in messages (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() {
      SigningKey key = SigningKey.generate(name);
      Path priv = key.write(workDir().resolve(out).normalize());
      info("wrote " + display(priv) + " (private: keep it secret) and " + display(priv.resolveSibling(name + ".pub.pem"))
          + " (public: copy it into the trust folder of clients); key id " + key.keyId());
      return ExitCodes.OK;
    }
  }
}
