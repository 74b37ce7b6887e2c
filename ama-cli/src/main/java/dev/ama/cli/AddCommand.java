package dev.ama.cli;

import dev.ama.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    subcommands = AddRefCommand.class,
    description = {
      "Stage files and folders for the asset started with 'ama init'.",
      "",
      "Names may be separated by commas as well as spaces. A file is stored under its file name; a folder's files under the folder's name, recursively (ckpt/a.bin); 'ama add .' stages the working folder's files without a prefix. Files are read when 'ama upload' runs.",
      "",
      "Symbolic links: a link to a file inside the working folder is staged under the link's name and read from its target at upload ('ama status' shows it). A link that points outside the working folder (and outside the folder being added) is refused unless --follow-symlinks. Links to folders, dangling links, FIFOs, sockets and devices inside a folder are skipped, each named on stderr; --follow-symlinks follows links to folders too.",
      "",
      "A file literally named 'ref' is added as ./ref, since 'ama add ref' links an asset.",
      ""
    },
    footer = {
      "%nExamples:",
      "  ama add git_commit_info_ckpt0.yml, run_config_ckpt0.yml, training.yml",
      "  ama add model.h5,model.yml",
      "  ama add checkpoints/",
      "  ama add --follow-symlinks shared_data/",
      "  ama add ref --alias my_training_inputs"
    })
final class AddCommand extends AmaCommand {
  @Parameters(paramLabel = "FILE", arity = "0..*", description = "Files or folders to stage.")
  List<String> args = List.of();

  @Option(
      names = "--follow-symlinks",
      description = "Follow every symbolic link, also to folders and to places outside the working folder;"
          + " without it, links that leave the folder are refused and links to folders are skipped.")
  boolean followLinks;

  @Override
  public Integer call() {
    List<String> names = FileArgs.split(workDir(), args);
    if (names.isEmpty()) {
      throw usage("add needs at least one FILE or folder, such as: ama add model.h5, model.yml");
    }
    startedStage(); // says how to start before any folder is walked
    // Walked before taking the lock: a big folder must not hold up other commands.
    FileArgs.Expansion expansion = FileArgs.expand(workDir(), names, followLinks);
    expansion.skipped().forEach(line -> cli().err().println("ama: " + line));
    Map<String, Stage.StagedFile> adding;
    String type;
    try (StageStore.Lock lock = stageStore().lock()) {
      Stage stage = startedStage();
      adding = merge(stage, expansion.files());
      adding.values().forEach(stage::addFile);
      stageStore().save(stage);
      type = stage.type().orElseThrow();
    }
    if (adding.size() <= 10) {
      info("staged " + adding.size() + " file(s) for " + type + ": " + String.join(", ", adding.keySet()));
    } else {
      info("staged " + adding.size() + " files for " + type + " (see: ama status)");
    }
    return ExitCodes.OK;
  }

  /** The files to add by their path in the asset; refuses two different files under one path. */
  private static Map<String, Stage.StagedFile> merge(Stage stage, List<Stage.StagedFile> files) {
    Map<String, Stage.StagedFile> adding = new LinkedHashMap<>();
    for (Stage.StagedFile file : files) {
      Stage.StagedFile other = adding.get(file.path());
      if (other == null) {
        other = stage.files().get(file.path());
      }
      if (other != null && !other.source().equals(file.source())) {
        throw new InvalidInputException(
            "cannot stage " + file.source() + " as '" + file.path() + "': " + other.source()
                + " is staged under that name already; rename one of them, or unstage the other with: ama rm "
                + file.path());
      }
      adding.put(file.path(), file);
    }
    return adding;
  }
}
