package dev.ama.cli;

import dev.ama.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
      "Leaving files out: in a folder, .git/ and .ama/ are never staged, and files that an .amaignore ignores are left out. An .amaignore is written as a .gitignore is (same rules: '#' comments, '!' re-includes, '/' anchors, a trailing '/' matches folders) and applies to its folder and below; those of the working folder and of the folders down to each file are read, the deepest matching line deciding. --exclude and --include choose among a folder's files with the globs of 'ama download --include', matched against the path in the asset. What was left out is counted in the summary; --dry-run or --verbose names each. A file or folder named as an argument that an .amaignore ignores is refused, as git add does, unless -f.",
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
      "  ama add . --exclude '*.log' --exclude __pycache__",
      "  ama add checkpoints/ --include 'step-1000/**' --dry-run",
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

  @Option(names = "--exclude", paramLabel = "GLOB", description = "Leave out the files and folders of the folders"
      + " added whose path in the asset matches, such as '*.log', __pycache__ or 'ckpt/tmp/**'; repeatable.")
  List<String> exclude = new ArrayList<>();

  @Option(names = "--include", paramLabel = "GLOB", description = "Stage only the files of the folders added whose"
      + " path in the asset matches, such as '*.yml' or 'ckpt/**'; repeatable. A pattern matching no file is refused.")
  List<String> include = new ArrayList<>();

  @Option(names = {"-f", "--force"}, description = "Do not read .amaignore files: stage what they ignore too, also a"
      + " file named as an argument. .git/ and .ama/ are still left out.")
  boolean force;

  @Option(names = {"-n", "--dry-run"}, description = "Show what would be staged and what would be left out, and why;"
      + " stage nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    List<String> names = FileArgs.split(workDir(), args);
    if (names.isEmpty()) {
      throw usage("add needs at least one FILE or folder, such as: ama add model.h5, model.yml");
    }
    startedStage(); // says how to start before any folder is walked
    // Walked before taking the lock: a big folder must not hold up other commands.
    AddFilter filter = new AddFilter(workDir(), force, new PathGlobs(include, exclude));
    FileArgs.Expansion expansion = FileArgs.expand(workDir(), names, followLinks, filter);
    expansion.skipped().forEach(line -> cli().err().println("ama: " + line));
    if (dryRun) {
      return dryRun(expansion);
    }
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
    reportLeftOut(expansion.left(), verboseAsked());
    return ExitCodes.OK;
  }

  private int dryRun(FileArgs.Expansion expansion) {
    Stage stage = startedStage();
    Map<String, Stage.StagedFile> adding = merge(stage, expansion.files());
    info("would stage " + adding.size() + " file(s) for " + stage.type().orElseThrow() + " (nothing staged: --dry-run):");
    adding.values().forEach(f -> info("  " + f.path() + (f.path().equals(f.source()) ? "" : " (from " + f.source() + ")")));
    reportLeftOut(expansion.left(), true);
    return ExitCodes.OK;
  }

  /** A count of what was left out, so nothing is left out unseen; each one named when asked. */
  private void reportLeftOut(List<AddFilter.Left> left, boolean each) {
    if (left.isEmpty()) {
      return;
    }
    long folders = left.stream().filter(AddFilter.Left::folder).count();
    long files = left.size() - folders;
    String what = (folders == 0 ? "" : folders + " folder(s)" + (files == 0 ? "" : " and "))
        + (files == 0 ? "" : files + " file(s)");
    if (!each) {
      String by = left.stream().map(l -> source(l.why())).distinct().collect(Collectors.joining(", "));
      info("left out " + what + " (by " + by + "); name them with --verbose or --dry-run");
      return;
    }
    info("left out " + what + ":");
    left.forEach(l -> info("  " + l.path() + ": " + l.why()));
  }

  private static String source(String why) {
    if (why.startsWith("ignored by")) {
      return ".amaignore";
    }
    if (why.startsWith("matches --exclude")) {
      return "--exclude";
    }
    return why.startsWith("matches no --include") ? "--include" : "the rule for .git/ and .ama/";
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
