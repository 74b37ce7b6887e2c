package dev.ama.cli;

import dev.ama.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
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
      "A file literally named 'ref' is added as ./ref, since 'ama add ref' links an asset.",
      ""
    },
    footer = {
      "%nExamples:",
      "  ama add git_commit_info_ckpt0.yml, run_config_ckpt0.yml, training.yml",
      "  ama add model.h5,model.yml",
      "  ama add checkpoints/",
      "  ama add ref --alias my_training_inputs"
    })
final class AddCommand extends AmaCommand {
  @Parameters(paramLabel = "FILE", arity = "0..*", description = "Files or folders to stage.")
  List<String> args = List.of();

  @Override
  public Integer call() {
    List<String> names = FileArgs.split(workDir(), args);
    if (names.isEmpty()) {
      throw usage("add needs at least one FILE or folder, such as: ama add model.h5, model.yml");
    }
    try (StageStore.Lock lock = stageStore().lock()) {
      return add(names);
    }
  }

  private int add(List<String> names) {
    Stage stage = startedStage();
    Map<String, Stage.StagedFile> adding = new LinkedHashMap<>();
    for (Stage.StagedFile file : FileArgs.expand(workDir(), names)) {
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
    adding.values().forEach(stage::addFile);
    stageStore().save(stage);
    String type = stage.type().orElseThrow();
    if (adding.size() <= 10) {
      info("staged " + adding.size() + " file(s) for " + type + ": " + String.join(", ", adding.keySet()));
    } else {
      info("staged " + adding.size() + " files for " + type + " (see: ama status)");
    }
    return ExitCodes.OK;
  }
}
