package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.AssetFile;
import dev.ama.AssetVersion;
import dev.ama.ConflictException;
import dev.ama.DownloadResult;
import dev.ama.FileSelection;
import dev.ama.InvalidInputException;
import dev.ama.LoadedAsset;
import dev.ama.Names;
import dev.ama.StoreException;
import dev.ama.VersionSignature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
      "--archive FILE writes the version as one archive instead of a folder (" + ArchiveFormat.NAMES + ", by the name), each entry named by the file's path in the asset, as serving code that unpacks fixed names expects; with --refs, the refs' files are entries under refs/<type>/<alias>/. It is written to a temporary name and renamed into place when complete, so a failed download leaves no archive; an existing one is replaced only with --force.",
      "",
      "--include PATTERN fetches only the matching files (a glob; a pattern without '/' matches a file name at any depth, '**' crosses folders; repeat it for more). --file PATH fetches one file, and -o then names the file itself.",
      "",
      "If the store cannot be reached, the version this machine last loaded for the alias (ama serving code, client.load or client.watch) is copied from the local cache, with a one-line warning on stderr; --strict refuses instead.",
      ""
    },
    footer = {
      "%nExamples:",
      "  ama download sequence_models --alias my_model",
      "  ama download sequence_models --alias my_model --refs",
      "  ama download sequence_models --alias my_model -o /srv/models/current --force",
      "  ama download sequence_models --alias my_model@2 -o previous",
      "  ama download sequence_models --alias prod --include model.h5 --include '*.yml'",
      "  ama download sequence_models --alias prod --archive model.tar.gz",
      "  ama download sequence_models --alias prod --file model.pth -o models/mainModel.pth"
    })
final class DownloadCommand extends VersionCommand {
  @Option(names = "--trust", paramLabel = "DIR", description = "Refuse, before writing a byte, a version or alias move"
      + " that the trust policy in DIR (public keys *.pub.pem, optional policy.yaml) requires signed and that is not;"
      + " default AMA_TRUST, then 'trust:' in the config file. See docs/trust.md.")
  Optional<String> trust;

  @Override
  Optional<String> trustOption() {
    return trust;
  }

  @Option(names = "--refs", description = "Also download the referenced versions, transitively.")
  boolean refs;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "The folder to download into (default ./ALIAS);"
      + " with --file, the file to write (default ./ and the file's name).")
  Optional<String> output = Optional.empty();

  @Option(names = "--include", paramLabel = "PATTERN", description = "Only the files matching this glob, such as"
      + " model.h5, '*.yml' or 'ckpt/**'; repeatable. A pattern matching no file is refused. Refs still come whole.")
  List<String> include = new ArrayList<>();

  @Option(names = "--file", paramLabel = "PATH", description = "Only this file of the asset (its path inside the"
      + " asset); -o then names the file itself, such as -o models/mainModel.pth.")
  Optional<String> file = Optional.empty();

  @Option(names = "--archive", paramLabel = "FILE", description = "Write the version as one archive, such as"
      + " model.zip or model.tar.gz, its entries named by the files' paths in the asset, instead of into a folder.")
  Optional<String> archive = Optional.empty();

  @Option(names = "--force", description = "Overwrite files in the folder that hold different content, each by one"
      + " rename of its complete new version (wholly old or wholly new if interrupted); the replaced files are listed."
      + " With --archive, replace an existing archive.")
  boolean force;

  @Option(names = "--strict", description = "Fail if the store is unreachable, instead of downloading the version"
      + " this machine last loaded for the alias from the local cache (with a warning).")
  boolean strict;

  @Option(names = "--json", description = "Print JSON: the version (as 'ama show --json', with its signatures;"
      + " null when stale) plus dir, written,"
      + " unchanged and replaced (paths relative to dir), with --file the file written, and stale (true if it came"
      + " from the local cache because the store was unreachable).")
  boolean json;

  @Override
  public Integer call() {
    Names.checkType(type);
    if (file.isPresent() && (refs || !include.isEmpty())) {
      throw new InvalidInputException("--file downloads one file, so " + (refs ? "--refs" : "--include")
          + " does not apply. Nothing was written; drop one of them");
    }
    Optional<Path> archivePath = archive.map(a -> workDir().resolve(a).normalize());
    Optional<ArchiveFormat> format = archivePath.map(a -> ArchiveFormat.of(a, "--archive"));
    if (archivePath.isPresent()) {
      if (file.isPresent() || output.isPresent()) {
        throw new InvalidInputException("--archive names the file to write, so " + (file.isPresent() ? "--file" : "-o")
            + " does not apply. Nothing was written; drop one of them (--include chooses files for an archive)");
      }
      if (Files.isDirectory(archivePath.get())) {
        throw new InvalidInputException("--archive " + archive.get() + " is a folder; name the archive file to write,"
            + " such as " + archive.get().replaceAll("/+$", "") + "/" + type + ".zip");
      }
      if (Files.exists(archivePath.get()) && !force) {
        throw new ConflictException("--archive " + archive.get() + " exists. Nothing was written; give --force to"
            + " replace it (by one rename, once the new archive is complete), or name another file");
      }
    }
    List<String> entries = List.of();
    FileSelection selection = FileSelection.include(include);
    AssetVersion version;
    DownloadResult result;
    LoadedAsset cached = null;
    Optional<List<VersionSignature>> signers;
    try (AssetClient client = openClient()) {
      try {
        version = client.trustedVersion(type, alias);
      } catch (StoreException unreachable) {
        cached = fromCache(client, unreachable);
        version = cached.asset();
      }
      // The version resolved once: the files written are those of the version printed even if the alias moves.
      var download = cached != null ? client.download(cached) : client.download(version);
      if (force) {
        download.force();
      }
      try {
        if (file.isPresent()) {
          String name = Path.of(file.get()).getFileName().toString();
          // "-o models/" names a folder, as it would for cp.
          String dest = output.map(o -> o.endsWith("/") ? o + name : o).orElse(name);
          result = download.fileTo(file.get(), workDir().resolve(dest).normalize());
        } else {
          if (refs) {
            download.withRefs();
          }
          if (archivePath.isPresent()) {
            // Verified into a scratch folder first, so the archive holds only checked bytes.
            try (ScratchDir scratch = ScratchDir.create(client.cacheDir())) {
              result = download.include(selection).into(scratch.path().resolve("version"));
              entries = ArchiveWriter.write(result.folder(), format.get(), archivePath.get(), force, version.createdAt());
            }
          } else {
            Path target = workDir().resolve(output.orElse(defaultFolder(version))).normalize();
            result = download.include(selection).into(target);
          }
        }
      } finally {
        if (cached != null) {
          cached.close();
        }
      }
      // A stale download came from the cache because the store is unreachable: its signatures are unknown.
      signers = json && cached == null ? Optional.of(client.signatures(version)) : Optional.empty();
    }
    Path dir = result.folder();
    List<AssetFile> files = file.isPresent() ? version.file(file.get()).stream().toList() : selection.select(version);
    long bytes = files.stream().mapToLong(AssetFile::size).sum();
    // With --file the result names one file: written, or left as it was.
    String single = file.isEmpty() ? null
        : result.written().isEmpty() ? result.unchanged().get(0) : result.written().get(0);
    if (json) {
      ObjectNode node = Views.version(version);
      node.put("alias", isAliasName(alias) ? alias : version.alias().orElse(null));
      if (signers.isPresent()) {
        node.set("signatures", Views.signatures(signers.get()));
      } else {
        node.putNull("signatures");
      }
      if (archivePath.isPresent()) {
        node.putNull("dir");
        node.put("archive", archivePath.get().toString());
        entries.forEach(node.putArray("entries")::add);
      } else {
        node.put("dir", dir.toAbsolutePath().normalize().toString());
      }
      if (single != null) {
        node.put("file", dir.resolve(single).toAbsolutePath().normalize().toString());
      }
      (archivePath.isPresent() ? List.<String>of() : result.written()).forEach(node.putArray("written")::add);
      result.unchanged().forEach(node.putArray("unchanged")::add);
      result.replaced().forEach(node.putArray("replaced")::add);
      node.put("stale", cached != null && cached.stale());
      if (cached != null) {
        node.put("staleCause", cached.staleCause().map(Throwable::getMessage).orElse(null));
        node.put("lastResolved", cached.lastResolved().map(Format::time).orElse(null));
      }
      Format.printJson(out(), node);
    } else if (file.isPresent()) {
      info("downloaded " + file.get() + " of " + type + "/" + alias + " " + version.version() + " ("
          + Format.size(bytes) + ") to " + display(dir.resolve(single))
          + (result.written().isEmpty() ? " (already there)" : ""));
    } else if (archivePath.isPresent()) {
      info("downloaded " + type + "/" + alias + " " + version.version() + " (" + entries.size() + " file(s)"
          + (refs && !version.refs().isEmpty() ? " with its refs" : "") + ", " + Format.size(bytes) + ") as the archive "
          + display(archivePath.get()));
    } else {
      String count = files.size() == version.files().size() ? version.files().size() + " file(s)"
          : files.size() + " of " + version.files().size() + " file(s)";
      info("downloaded " + type + "/" + alias + " " + version.version() + " (" + count + ", "
          + Format.size(bytes) + ") to " + display(dir)
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
          + cached.lastResolved().map(Format::time).orElse("at an unknown time") + "), which may be out of date"));
    }
    return cached;
  }

  /** ./ALIAS for an alias; ./TYPE-<short digest> for other selectors, which may hold ':' or '@'. */
  private String defaultFolder(AssetVersion version) {
    return isAliasName(alias) ? alias : type + "-" + version.version().shortHex();
  }
}
