package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.AliasSignature;
import dev.ama.Names;
import dev.ama.VersionSignature;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = {
      "Show the version an alias points at.",
      "",
      "Its id, files with size and digest, refs, who uploaded it and when, description and labels.",
      ""
    },
    footer = {
      "%nJSON: {type, alias, version, by, at, description, labels, size, files: [{path, size, digest}],"
          + " refs: [{type, alias, version}], aliasEntry: {type, alias, seq, version, by, at, previous},"
          + " signatures: [{keyId, name, status: valid|invalid|unknown-key}], aliasSignedBy}",
      "%nExamples:",
      "  ama show sequence_models --alias my_model",
      "  ama show sequence_models --alias my_model --json",
      "  ama show sequence_models --alias my_model@1"
    })
final class ShowCommand extends VersionCommand {
  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    Names.checkType(type);
    try (AssetClient client = openClient()) {
      AssetVersion version = client.version(type, alias);
      Optional<AliasEntry> entry = isAliasName(alias) ? client.alias(type, alias) : Optional.empty();
      List<VersionSignature> signers = client.signatures(version);
      if (json) {
        ObjectNode node = Views.version(version);
        node.put("alias", entry.map(AliasEntry::alias).orElse(version.alias().orElse(null)));
        if (entry.isPresent()) {
          node.set("aliasEntry", Views.entry(entry.get()));
        } else {
          node.putNull("aliasEntry");
        }
        node.set("signatures", Views.signatures(signers));
        node.put("aliasSignedBy", entry.flatMap(AliasEntry::signature).map(AliasSignature::keyId).orElse(null));
        Format.printJson(out(), node);
      } else {
        Views.printVersion(out(), version, type + "/" + alias);
        entry.ifPresent(e -> out().println(TerminalText.safe("alias moved: " + Format.time(e.at()) + " by " + e.by()
            + " (entry " + e.seq() + "; history: ama log " + type + " --alias " + alias + ")"
            + e.signature().map(s -> "; move signed by key " + s.keyId()).orElse(""))));
        for (VersionSignature s : signers) {
          out().println(TerminalText.safe("signed by: " + s.keyName().map(n -> n + " ").orElse("") + "key " + s.keyId() + " ("
              + switch (s.status()) {
                case VALID -> "verified";
                case INVALID -> "INVALID: " + s.problem().orElse("");
                case UNKNOWN_KEY -> "not checked: the key is not in the trust policy";
              } + ")"));
        }
        if (signers.isEmpty()) {
          out().println("signed by: nobody");
        }
      }
    }
    return ExitCodes.OK;
  }
}
