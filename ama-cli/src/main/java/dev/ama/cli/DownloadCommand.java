package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.DownloadResult;
import dev.ama.LoadedAsset;
import dev.ama.Names;
import dev.ama.StoreException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "download",
    mixinStandardHelpOptions = true,
    description = {
      "Download the version an alias points at.",
      "",
      "Files go into DIR (default ./ALIAS/). Every file is checked against its digest and renamed into place only when complete. With --refs, the versions it was made from follow, transitively, under DIR/refs/<type>/<alias>/. A folder that already holds different files under the same names is refused, with nothing written, unless --force.",
      "",
      "If the store cannot be reached, the version this machine last loaded for the alias (ama serving code, client.load or client.watch) is copied from the local cache, with a one-line warning on stderr; --strict refuses instead.",
      ""
    },
    footer = {
      "%nExamples:",
      "  ama download sequence_models --alias my_model",
      "  ama download sequence_models --alias my_model --refs",
      "  ama download sequence_models --alias my_model -o /srv/models/current --force",
      "  ama download sequence_models --alias my_model@2 -o previous"
    })
final class DownloadCommand extends VersionCommand {
  @Option(names = "--refs", description = "Also download the referenced versions, transitively.")
  boolean refs;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "The folder to download into (default ./ALIAS).")
  Optional<String> output = Optional.empty();

  @Option(names = "--force", description = "Overwrite files in the folder that hold different content, each by one"
      + " rename of its complete new version (wholly old or wholly new if interrupted); the replaced files are listed.")
  boolean force;

  @Option(names = "--strict", description = "Fail if the store is unreachable, instead of downloading the version"
      + " this machine last loaded for the alias from the local cache (with a warning).")
  boolean strict;

  @Option(names = "--json", description = "Print JSON: the version (as 'ama show --json') plus dir, replaced, and"
      + " stale (true if it came from the local cache because the store was unreachable).")
  boolean json;

  @Override
  boolean machineOutput() {
    return json;
  }

  @Override
  public Integer call() {
    Names.checkType(type);
    AssetVersion version;
    DownloadResult result;
    LoadedAsset cached = null;
    try (AssetClient client = openClient()) {
      try {
        version = client.version(type, alias);
      } catch (StoreException unreachable) {
        cached = fromCache(client, unreachable);
        version = cached.asset();
      }
      Path target = workDir().resolve(output.orElse(defaultFolder(version))).normalize();
      // The version resolved once: the files written are those of the version printed even if the alias moves.
      var download = cached != null ? client.download(cached) : client.download(version);
      if (refs) {
        download.withRefs();
      }
      if (force) {
        download.force();
      }
      result = download.into(target);
      if (cached != null) {
        cached.close();
      }
    }
    Path dir = result.folder();
    if (json) {
      ObjectNode node = Views.version(version);
      node.put("alias", isAliasName(alias) ? alias : version.alias().orElse(null));
      node.put("dir", dir.toAbsolutePath().normalize().toString());
      result.replaced().forEach(node.putArray("replaced")::add);
      node.put("stale", cached != null);
      if (cached != null) {
        node.put("staleCause", cached.staleCause().map(Throwable::getMessage).orElse(null));
        node.put("lastResolved", cached.lastResolved().map(Object::toString).orElse(null));
      }
      Format.printJson(out(), node);
    } else {
      info("downloaded " + type + "/" + alias + " " + version.version() + " (" + version.files().size()
          + " file(s), " + Format.size(version.size()) + ") to " + display(dir)
          + (refs && !version.refs().isEmpty() ? "; refs under " + display(dir.resolve("refs")) : ""));
      if (!result.replaced().isEmpty()) {
        info("replaced " + result.replaced().size() + " file(s) that held other content: "
            + String.join(", ", result.replaced()));
      }
    }
    return ExitCodes.OK;
  }

  /**
   * The version this machine last loaded for the alias, from the local cache, when the store cannot
   * be reached; warned about in one line on stderr. Refused with {@code --strict}, for a selector
   * other than an alias, or if this machine never loaded the alias: the store's error then stands.
   */
  private LoadedAsset fromCache(AssetClient client, StoreException unreachable) {
    if (strict || !isAliasName(alias)) {
      throw unreachable;
    }
    LoadedAsset cached = client.load(type, alias);
    if (cached.stale()) {
      cli().err().println(TerminalText.safe("ama: warning: store " + client.location() + " unreachable; downloading the"
          + " cached version " + cached.version().shortHex() + " of " + type + "/" + alias + " (alias last resolved "
          + cached.lastResolved().map(Object::toString).orElse("at an unknown time") + "), which may be out of date"));
    }
    return cached;
  }

  /** ./ALIAS for an alias; ./TYPE-<short digest> for other selectors, which may hold ':' or '@'. */
  private String defaultFolder(AssetVersion version) {
    return isAliasName(alias) ? alias : type + "-" + version.version().shortHex();
  }
}
