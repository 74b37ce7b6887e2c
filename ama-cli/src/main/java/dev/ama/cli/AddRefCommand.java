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
    description = {
      "Link the staged asset to the asset it was made from.",
      "",
      "--alias ALIAS: the ref is pinned to the version the alias points at when 'ama upload' runs.",
      "--version SELECTOR: the ref is pinned now to the version SELECTOR names: alias@N (the N-th entry of the alias's"
          + " log), alias (where it points now), sha256:<hex> or a unique digest prefix of at least 8 hex digits; 'ama"
          + " upload' refs exactly that version, wherever its alias moves meanwhile.",
      "",
      "The type is found from the alias (or, for a digest, from the version) when exactly one asset type has an alias"
          + " of that name; otherwise choose it with --type.",
      ""
    },
    footer = {
      "%nExamples:",
      "  ama add ref --alias my_training_inputs",
      "  ama add ref --alias my_training_inputs --type nlp_embeddings",
      "  ama add ref --version my_model@2",
      "  ama add ref --version sha256:3f2a9c1b"
    })
final class AddRefCommand extends AmaCommand {
  // Not mixinStandardHelpOptions: its -V/--version (ama's own version) would take --version SELECTOR.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--alias", paramLabel = "ALIAS", description = "The alias of the asset to link, resolved at upload.")
  Optional<String> alias = Optional.empty();

  @Option(
      names = "--version",
      paramLabel = "SELECTOR",
      description = "The version to link, pinned now: alias@N, alias, sha256:<hex> or a unique digest prefix.")
  Optional<String> version = Optional.empty();

  @Option(names = "--type", paramLabel = "TYPE", description = "Its asset type, needed when several types have the alias.")
  Optional<String> type = Optional.empty();

  @Override
  public Integer call() {
    if (alias.isEmpty() && version.isEmpty()) {
      throw usage("add ref needs --alias ALIAS or --version SELECTOR, the asset to link, such as: ama add ref --alias"
          + " my_training_inputs, or ama add ref --version my_training_inputs@2 (to stage a file named 'ref', write:"
          + " ama add ./ref)");
    }
    if (alias.isPresent() && version.isPresent()) {
      throw usage("add ref takes --alias ALIAS (resolved at upload) or --version SELECTOR (pinned now), not both");
    }
    startedStage(); // before asking the store: says how to start when nothing is
    type.ifPresent(Names::checkType);
    alias.ifPresent(Names::checkAlias);
    Optional<String> name;
    AssetVersion target;
    try (AssetClient client = openClient()) {
      name = alias.isPresent() ? alias : aliasNamed(client, version.get());
      if (name.isEmpty() && type.isEmpty()) {
        target = client.versionByDigest(version.get());
      } else {
        String refType = type.isPresent() ? type.get() : inferType(client, name.orElseThrow());
        target = client.version(refType, alias.isPresent() ? name.get() : version.get());
      }
    }
    Stage.StagedRef ref = alias.isPresent()
        ? new Stage.StagedRef(target.type(), name.get())
        : Stage.StagedRef.pinned(target.type(), name, target.version());
    boolean added;
    // The store was asked without holding the lock, so other commands need not wait for it.
    try (StageStore.Lock lock = stageStore().lock()) {
      Stage current = startedStage();
      added = current.addRef(ref);
      stageStore().save(current);
    }
    String shown = target.type() + name.map(a -> "/" + a).orElse("");
    info((added ? "staged ref " : "ref already staged: ") + shown + (alias.isPresent()
        ? " (now " + target.version() + "; pinned when you run: ama upload)"
        : " pinned to " + target.version() + " (" + version.get() + ")"));
    return ExitCodes.OK;
  }

  /**
   * The alias a version selector names, kept with the pinned ref for display: the part before
   * {@code @}, or a plain name, unless it is a digest prefix and no alias of that name exists (an
   * existing alias wins over a prefix spelled the same, as everywhere).
   */
  private Optional<String> aliasNamed(AssetClient client, String selector) {
    int at = selector.lastIndexOf('@');
    if (at > 0) {
      return Optional.of(Names.checkAlias(selector.substring(0, at)));
    }
    if (selector.startsWith("sha256:")) {
      return Optional.empty();
    }
    boolean digestLike = selector.matches("[0-9a-fA-F]{8,64}");
    if (!digestLike) {
      return Optional.of(Names.checkAlias(selector));
    }
    boolean isAlias = type.isPresent() ? client.alias(type.get(), selector).isPresent() : !client.typesWithAlias(selector).isEmpty();
    return isAlias ? Optional.of(selector) : Optional.empty();
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
