package dev.ama.cli;

import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.InvalidInputException;
import dev.ama.Names;
import dev.ama.NotFoundException;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "ref",
    mixinStandardHelpOptions = true,
    description = {
      "Link the staged asset to the asset it was made from.",
      "",
      "The type is found from the alias when exactly one asset type has an alias of that name; otherwise choose it with --type. The ref is pinned to the version the alias points at when 'ama upload' runs.",
      ""
    },
    footer = {
      "%nExamples:",
      "  ama add ref --alias my_training_inputs",
      "  ama add ref --alias my_training_inputs --type nlp_embeddings"
    })
final class AddRefCommand extends AmaCommand {
  @Option(names = "--alias", paramLabel = "ALIAS", description = "The alias of the asset to link.")
  Optional<String> alias = Optional.empty();

  @Option(names = "--type", paramLabel = "TYPE", description = "Its asset type, needed when several types have the alias.")
  Optional<String> type = Optional.empty();

  @Override
  public Integer call() {
    if (alias.isEmpty()) {
      throw usage("add ref needs --alias ALIAS, the alias of the asset to link, such as: ama add ref --alias"
          + " my_training_inputs (to stage a file named 'ref', write: ama add ./ref)");
    }
    startedStage(); // before asking the store: says how to start when nothing is
    String name = Names.checkAlias(alias.get());
    type.ifPresent(Names::checkType);
    AssetVersion target;
    try (AssetClient client = openClient()) {
      String refType = type.isPresent() ? type.get() : inferType(client, name);
      target = client.version(refType, name);
    }
    boolean added;
    // The store was asked without holding the lock, so other commands need not wait for it.
    try (StageStore.Lock lock = stageStore().lock()) {
      Stage current = startedStage();
      added = current.addRef(new Stage.StagedRef(target.type(), name));
      stageStore().save(current);
    }
    info((added ? "staged ref " : "ref already staged: ") + target.type() + "/" + name
        + " (now " + target.version() + "; pinned when you run: ama upload)");
    return ExitCodes.OK;
  }

  private String inferType(AssetClient client, String name) {
    List<String> types = client.typesWithAlias(name);
    if (types.size() == 1) {
      return types.get(0);
    }
    if (types.size() > 1) {
      throw new InvalidInputException(
          "alias '" + name + "' exists for several asset types: " + String.join(", ", types)
              + "; choose one with --type, such as: ama add ref --alias " + name + " --type " + types.get(0));
    }
    TreeSet<String> known = new TreeSet<>();
    for (String t : client.types()) {
      client.aliases(t).stream().map(AliasEntry::alias).forEach(known::add);
    }
    if (known.isEmpty()) {
      throw new NotFoundException("no asset type has an alias '" + name + "' in " + client.location()
          + ": the store has no aliases yet; upload the asset to link first, or check --store / AMA_STORE");
    }
    throw NotFoundException.suggesting(name, known, hint -> "no asset type has an alias '" + name + "' in "
        + client.location() + "; list aliases with: ama ls <type>" + hint);
  }
}
