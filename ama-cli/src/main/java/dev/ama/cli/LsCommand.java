package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.Names;
import dev.ama.NotFoundException;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = {
      "List asset types, or the aliases of a type.",
      "",
      "Without TYPE, the asset types in the store. With TYPE, its aliases with the version each points at, who moved it there and when.",
      ""
    },
    footer = {
      "%nJSON: 'ls --json' is a list of type names; 'ls TYPE --json' a list of"
          + " {type, alias, seq, version, by, at, previous}.",
      "%nExamples:",
      "  ama ls",
      "  ama ls sequence_models",
      "  ama ls sequence_models --json"
    })
final class LsCommand extends AmaCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "TYPE", description = "An asset type.")
  Optional<String> type = Optional.empty();

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    type.ifPresent(Names::checkType);
    try (AssetClient client = openClient()) {
      if (type.isEmpty()) {
        listTypes(client.types());
      } else {
        List<String> types = client.types();
        if (!types.contains(type.get())) {
          throw new NotFoundException("no asset type '" + type.get() + "' in " + client.location()
              + (types.isEmpty() ? "; the store has no assets yet" : "; list types with: ama ls"
                  + Suggest.didYouMean(type.get(), types)));
        }
        listAliases(client.aliases(type.get()));
      }
    }
    return ExitCodes.OK;
  }

  private void listTypes(List<String> types) {
    if (json) {
      ArrayNode array = Format.array();
      types.forEach(array::add);
      Format.printJson(out(), array);
    } else {
      types.forEach(out()::println);
    }
  }

  private void listAliases(List<AliasEntry> aliases) {
    if (json) {
      ArrayNode array = Format.array();
      aliases.forEach(e -> array.add(Views.entry(e)));
      Format.printJson(out(), array);
      return;
    }
    Format.Table table = new Format.Table().row("ALIAS", "VERSION", "SEQ", "BY", "AT");
    for (AliasEntry e : aliases) {
      table.row(e.alias(), Views.shortId(e.version()), String.valueOf(e.seq()), e.by(),
          Format.time(e.at()));
    }
    table.print(out(), "");
  }
}
