package dev.ama.cli;

import dev.ama.ConflictException;
import dev.ama.InvalidInputException;
import dev.ama.Names;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Start a new asset of a type in this folder.",
      "",
      "Files, alias, refs and labels staged afterwards go into one version of this type, uploaded by 'ama upload'. Refuses while un-uploaded files are staged, unless --force; the discarded stage is kept as .ama/stage.discarded-<time>.json. With --force, an unreadable (damaged) stage file is set aside as .ama/stage.json.damaged-<time> without being read.",
      ""
    },
    footer = {"%nExamples:", "  ama init nlp_embeddings", "  ama init sequence_models --force"})
final class InitCommand extends AmaCommand {
  @Parameters(index = "0", paramLabel = "TYPE", description = "The asset type, such as rnn_models: " + Names.TYPE_RULE + ".")
  String type;

  @Option(names = "--force", description = "Discard staged files that were not uploaded.")
  boolean force;

  @Override
  public Integer call() {
    Names.checkType(type);
    try (StageStore.Lock lock = stageStore().lock(true)) {
      return init(stageStore());
    }
  }

  private int init(StageStore store) {
    Stage stage;
    try {
      stage = store.load();
    } catch (StageStore.DamagedStageException e) {
      if (!force) {
        throw new InvalidInputException("cannot start a new " + type + " asset: the stage file " + e.file + " "
            + e.detail + "; fix it by hand, or start over with: ama init " + type + " --force, which keeps it aside");
      }
      // Starting over must not need the file it starts over from.
      Path aside = store.setAside();
      info("set the unreadable stage file aside as " + workDir().relativize(aside) + " (it " + e.detail
          + "); what it staged and its last upload are not carried over");
      stage = new Stage();
    }
    int staged = stage.files().size();
    if (staged > 0 && !force) {
      throw new ConflictException(
          "cannot start a new " + type + " asset: " + staged + " file(s) staged for "
              + stage.type().orElse("?") + " are not uploaded yet; upload them with: ama upload,"
              + " or discard them with: ama init " + type + " --force");
    }
    if (stage.hasPendingWork()) {
      Path backup = store.backup(stage);
      info("discarded the staged " + stage.type().orElse("?") + " asset (" + staged
          + " file(s)); a copy is in " + workDir().relativize(backup));
    }
    stage.start(type);
    store.save(stage);
    info("started a new " + type + " asset in " + workDir() + "; next: ama add FILE...");
    return ExitCodes.OK;
  }
}
