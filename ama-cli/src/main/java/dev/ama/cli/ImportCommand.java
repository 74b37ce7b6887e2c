package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.AssetUpload;
import dev.ama.AssetVersion;
import dev.ama.InvalidInputException;
import dev.ama.Names;
import dev.ama.spi.StorageOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Upload the files of a zip or tar.gz archive as a new version, in one step.",
      "",
      "Each file of the archive becomes a file of the version under its name in the archive (a leading ./ dropped); folders come from the names. The archive is read one entry at a time into a temporary folder under the local cache, removed when the command ends, and the working folder's stage is neither needed nor touched. The kind is told by the name: " + ArchiveFormat.NAMES + ".",
      "",
      "Hostile archives are refused before anything is uploaded: names with '..', absolute paths, drive letters, backslashes or control characters; the same name twice; a name that is both a file and a folder; symbolic links, devices and FIFOs; more entries, more unpacked bytes or a higher compression ratio than the limits (archive bombs), counted as the bytes come. A tar hard link to an earlier file of the archive is imported as a copy of that file.",
      ""
    },
    footer = {
      "%nExamples:",
      "  ama import rnn_model_2024-05-01.zip --type rnn_models --alias my_model",
      "  ama import model.tar.gz --type sequence_models --alias prod --label stage=prod",
      "  ama import run7.zip --type rnn_models --alias my_model --ref training_params/my_inputs",
      "  ama import from_a_mac.zip --type rnn_models --exclude __MACOSX --exclude .DS_Store",
      "  ama import huge.tgz --type checkpoints --max-size 500GiB --max-ratio 1000"
    })
final class ImportCommand extends AmaCommand {
  @Parameters(index = "0", paramLabel = "ARCHIVE", description = "The archive: a " + ArchiveFormat.NAMES + " file.")
  Path archive;

  @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The asset type of the new version.")
  String type;

  @Option(names = "--alias", paramLabel = "ALIAS", description = "The alias to point at the new version: "
      + Names.ALIAS_RULE + ".")
  Optional<String> alias = Optional.empty();

  @Option(names = "--description", paramLabel = "TEXT", description = "Free text shown by 'ama show'.")
  Optional<String> description = Optional.empty();

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label, repeatable.")
  List<String> labels = new ArrayList<>();

  @Option(names = "--ref", paramLabel = "TYPE/SELECTOR", description = "Record that the new version was made from"
      + " this one, such as training_params/my_inputs (pinned to what the alias points at now) or models/prod@2;"
      + " repeatable.")
  List<String> refs = new ArrayList<>();

  @Option(names = "--exclude", paramLabel = "GLOB", description = "Leave out the archive's files whose name matches,"
      + " or that are in a folder whose name matches, such as __MACOSX or '*.log'; repeatable.")
  List<String> exclude = new ArrayList<>();

  @Option(names = "--include", paramLabel = "GLOB", description = "Import only the archive's files whose name matches,"
      + " such as '*.h5' or 'model/**'; repeatable. A pattern matching no file is refused.")
  List<String> include = new ArrayList<>();

  @Option(names = "--max-size", paramLabel = "SIZE", description = "Refuse an archive whose files add up to more than"
      + " this unpacked (default " + ArchiveReader.Limits.DEFAULT_MAX_BYTES + "), such as 500GiB.")
  Optional<String> maxSize = Optional.empty();

  @Option(names = "--max-files", paramLabel = "N", description = "Refuse an archive of more entries than this (default "
      + ArchiveReader.Limits.DEFAULT_MAX_FILES + ").")
  Optional<Long> maxFiles = Optional.empty();

  @Option(names = "--max-ratio", paramLabel = "N", description = "Refuse an archive whose bytes expand more than N times"
      + " (per entry for zip, over the whole archive for tar.gz; default " + ArchiveReader.Limits.DEFAULT_MAX_RATIO
      + "), checked after the first MiB.")
  Optional<Long> maxRatio = Optional.empty();

  @Option(names = "--json", description = "Print the uploaded version as JSON (the shape of 'ama show --json') plus"
      + " archive.")
  boolean json;

  @Mixin StoreFormatOption storeFormat;

  @Override
  Optional<Integer> storeFormatOption() {
    return storeFormat.value;
  }

  /** An import is an upload: the first one creates the store. */
  @Override
  boolean readsStore() {
    return false;
  }

  @Override
  public Integer call() {
    // Every argument is checked before a possibly large archive is read.
    Names.checkType(type);
    alias.ifPresent(Names::checkAlias);
    List<String[]> parsedLabels = labels.stream().map(l -> SetCommand.label(l, "")).toList();
    List<String[]> parsedRefs = refs.stream().map(ImportCommand::ref).toList();
    Path source = workDir().resolve(archive).normalize();
    ArchiveFormat format = ArchiveFormat.of(source, "cannot import");
    ArchiveReader.Limits limits = limits();
    PathGlobs globs = new PathGlobs(include, exclude);
    AssetVersion version;
    ArchiveReader.Unpacked unpacked;
    Optional<String> formatNote;
    try (AssetClient client = openClient(); ScratchDir scratch = ScratchDir.create(client.cacheDir())) {
      // Resolved before a possibly large archive is read, so a mistyped ref fails at once.
      List<AssetVersion> refVersions = parsedRefs.stream().map(r -> client.version(r[0], r[1])).toList();
      unpacked = ArchiveReader.unpack(source, format, scratch.path(), limits, globs);
      AssetUpload upload = client.newAsset(type);
      unpacked.files().forEach(upload::add);
      alias.ifPresent(upload::alias);
      description.ifPresent(upload::description);
      parsedLabels.forEach(kv -> upload.label(kv[0], kv[1]));
      for (int i = 0; i < parsedRefs.size(); i++) {
        String selector = parsedRefs.get(i)[1];
        if (isAliasName(selector)) {
          upload.ref(refVersions.get(i), selector);
        } else {
          upload.ref(refVersions.get(i));
        }
      }
      version = upload.upload();
      formatNote = storeFormatNote(client);
    }
    if (json) {
      ObjectNode node = Views.version(version);
      node.put("alias", alias.orElse(version.alias().orElse(null)));
      node.put("archive", source.toString());
      Format.printJson(out(), node);
      return ExitCodes.OK;
    }
    unpacked.notes().forEach(note -> cli().err().println(TerminalText.safe("ama: " + note)));
    if (!unpacked.left().isEmpty()) {
      info("left out " + unpacked.left().size() + " file(s) of the archive (--exclude, --include)"
          + (verboseAsked() ? ":" : "; name them with --verbose"));
      if (verboseAsked()) {
        unpacked.left().forEach(l -> info("  " + l.path() + ": " + l.why()));
      }
    }
    info("imported " + version.files().size() + " file(s) (" + Format.size(version.size()) + ") from " + display(source)
        + " as " + type + alias.map(a -> "/" + a).orElse("") + " " + version.version());
    formatNote.ifPresent(this::info);
    return ExitCodes.OK;
  }

  /** A {@code --ref TYPE/SELECTOR} as its type and selector, both checked before the archive is read. */
  private static String[] ref(String text) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1) {
      throw new InvalidInputException("invalid --ref '" + text + "': write it as TYPE/SELECTOR, such as"
          + " --ref training_params/my_inputs or --ref models/prod@2");
    }
    String type = Names.checkType(text.substring(0, slash));
    return new String[] {type, text.substring(slash + 1)};
  }

  private ArchiveReader.Limits limits() {
    ArchiveReader.Limits d = ArchiveReader.Limits.defaults();
    long bytes = d.maxBytes();
    if (maxSize.isPresent()) {
      try {
        bytes = StorageOptions.parseSize(maxSize.get());
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("--max-size " + e.getMessage());
      }
    }
    long files = positive(maxFiles, "--max-files", d.maxFiles());
    long ratio = positive(maxRatio, "--max-ratio", d.maxRatio());
    return new ArchiveReader.Limits(bytes, files, ratio);
  }

  private static long positive(Optional<Long> value, String option, long fallback) {
    if (value.isPresent() && value.get() < 1) {
      throw new InvalidInputException(option + " " + value.get() + ": it must be 1 or more (default " + fallback + ")");
    }
    return value.orElse(fallback);
  }
}
