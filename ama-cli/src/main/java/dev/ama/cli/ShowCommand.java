package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
          + " refs: [{type, alias, version}], aliasEntry: {type, alias, seq, version, by, at, previous}}",
      "%nExamples:",
      "  ama show sequence_models --alias my_model",
      "  ama show sequence_models --alias my_model --json"
    })
final class ShowCommand extends AmaCommand {
  @Parameters(index = "0", paramLabel = "TYPE", description = "The asset type.")
  String type;

  @Option(names = "--alias", required = true, paramLabel = "ALIAS", description = "The alias.")
  String alias;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    Names.checkType(type);
    Names.checkAlias(alias);
    try (AssetClient client = openClient()) {
      AssetVersion version = client.version(type, alias);
      AliasEntry entry = client.alias(type, alias).orElseThrow();
      if (json) {
        ObjectNode node = Views.version(version);
        node.put("alias", alias);
        node.set("aliasEntry", Views.entry(entry));
        Format.printJson(out(), node);
      } else {
        Views.printVersion(out(), version, type + "/" + alias);
        out().println("alias moved: " + Format.time(entry.at()) + " by " + entry.by() + " (entry " + entry.seq()
            + "; history: ama log " + type + " --alias " + alias + ")");
      }
    }
    return ExitCodes.OK;
  }
}
