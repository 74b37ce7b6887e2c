package dev.ama.cli;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.Names;
import dev.ama.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    description = {
      "Sign a version that is already stored.",
      "",
      "Stores a DSSE envelope beside the version's manifest: an in-toto statement naming every file with its SHA-256,"
          + " and the version's id and type, signed with the key (Ed25519). Clients whose trust policy trusts the key"
          + " then load and download it. Several keys may sign one version; signing again with the same key writes"
          + " nothing. To sign an alias move, use 'ama alias set ... --sign KEY'. See docs/trust.md.",
      ""
    },
    footer = {"%nExamples:", "  ama sign rnn_models prod --key keys/release.key.pem",
        "  ama sign rnn_models sha256:3f2a9c1b --key keys/release.key.pem",
        "  AMA_KEY_PASSWORD=... ama sign rnn_models prod --key release.p12:release"})
final class SignCommand extends AmaCommand {
  @Parameters(index = "0", paramLabel = "TYPE", description = "The asset type.")
  String type;

  @Parameters(index = "1", paramLabel = "SELECTOR", description = "The version: alias, alias@N, sha256:<hex> or a unique digest prefix.")
  String selector;

  @Option(names = "--key", required = true, paramLabel = "KEY",
      description = "The private key: a PEM file (NAME.key.pem), or a PKCS12 KeyStore FILE.p12[:ENTRY] with its password in AMA_KEY_PASSWORD.")
  String key;

  @Override
  public Integer call() {
    Names.checkType(type);
    SigningKey signer = signingKey(key);
    try (AssetClient client = openClient()) {
      AssetVersion v = client.version(type, selector);
      boolean written = client.sign(v, signer);
      info((written ? "signed " : "already signed ") + type + " " + v.version() + " with " + signer.name() + " (key id "
          + signer.keyId() + ")");
    }
    return ExitCodes.OK;
  }
}
