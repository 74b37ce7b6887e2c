package dev.ama.cli;

import dev.ama.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "rm",
    mixinStandardHelpOptions = true,
    description = {
      "Unstage files: the opposite of 'ama add'.",
      "",
      "Files on disk are not touched.",
      ""
    },
    footer = {"%nExamples:", "  ama rm model.h5", "  ama rm checkpoints/a.bin, checkpoints/b.bin"})
final class RemoveCommand extends AmaCommand {
  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Staged paths, as 'ama status' lists them.")
  List<String> args = List.of();

  @Override
  public Integer call() {
    try (StageStore.Lock lock = stageStore().lock()) {
      return remove();
    }
  }

  private int remove() {
    Stage stage = startedStage();
    List<String> paths = new ArrayList<>();
    for (String arg : args) {
      for (String piece : (stage.files().containsKey(arg) ? new String[] {arg} : arg.split(","))) {
        if (!piece.isBlank()) {
          paths.add(piece.strip());
        }
      }
    }
    for (String path : paths) {
      if (!stage.files().containsKey(path)) {
        throw NotFoundException.suggesting(path, stage.files().keySet(),
            hint -> "'" + path + "' is not staged; see what is with: ama status" + hint);
      }
    }
    paths.forEach(stage::removeFile);
    stageStore().save(stage);
    info("unstaged " + String.join(", ", paths));
    return ExitCodes.OK;
  }
}
