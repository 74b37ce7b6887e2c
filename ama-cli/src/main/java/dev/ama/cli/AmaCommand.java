package dev.ama.cli;

import dev.ama.AssetClient;
import dev.ama.InvalidInputException;
import dev.ama.Names;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every {@code ama} command shares: the working folder, the output, the stage. */
abstract class AmaCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  AmaCli cli() {
    return (AmaCli) spec.root().userObject();
  }

  Path workDir() {
    return cli().workDir();
  }

  PrintWriter out() {
    return cli().out();
  }

  StageStore stageStore() {
    return cli().stageStore();
  }

  /**
   * The stage of a folder where {@code ama init} has run; explains how to start otherwise. A
   * command that saves it holds {@link StageStore#lock()} from before this call.
   */
  Stage startedStage() {
    Stage stage = stageStore().load();
    if (stage.type().isEmpty()) {
      throw new InvalidInputException(
          "no asset is started in " + workDir() + "; start one with: ama init <type> (for example: ama init rnn_models)");
    }
    return stage;
  }

  /** Opens a client on the configured store, as the configured user, with the configured cache. */
  AssetClient openClient() {
    Settings settings = cli().settings();
    AssetClient.Builder builder = AssetClient.builder()
        .store(settings.store(cli().storeOption()).value())
        .cache(settings.cache())
        .transfers(settings.transfers(cli().concurrencyOption(), cli().partSizeOption()).settings())
        .cacheMax(settings.cacheMax(cli().cacheMaxOption()).map(v -> Long.parseLong(v.value())).orElse(Long.MAX_VALUE));
    settings.user(cli().userOption()).ifPresent(builder::user);
    if (showProgress()) {
      builder.listener(ProgressBars.onTerminal(cli().err()));
    }
    return builder.build();
  }

  /**
   * Whether long transfers show progress bars on stderr: when a person watches ({@code
   * AMA_PROGRESS=1}, set by {@link AmaCli#main} at a terminal), unless {@code --quiet}, and never
   * for machine output.
   */
  boolean showProgress() {
    return "1".equals(cli().env().get(ProgressBars.ENV)) && !cli().quiet() && !machineOutput();
  }

  /** Whether this run prints JSON for a program; commands with {@code --json} say so. */
  boolean machineOutput() {
    return false;
  }

  /** Prints a confirmation such as "uploaded ..." unless {@code --quiet}, terminal-safe: it names files. */
  void info(String line) {
    if (!cli().quiet()) {
      out().println(TerminalText.safe(line));
    }
  }

  /** A path for display: relative to the working folder when inside it. */
  String display(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    if (absolute.equals(workDir())) {
      return ".";
    }
    return absolute.startsWith(workDir()) ? workDir().relativize(absolute).toString() : absolute.toString();
  }

  /** Whether a selector is a plain alias name rather than alias@N or a digest. */
  static boolean isAliasName(String selector) {
    return Names.isValidAlias(selector);
  }

  /** Whether -v or --verbose was given, before the command name or after it. */
  boolean verboseAsked() {
    for (CommandLine c = spec.commandLine(); c != null; c = c.getParent()) {
      if (c.getParseResult() != null && c.getParseResult().hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** A usage error of this command, reported with exit code 2 like picocli's own. */
  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
