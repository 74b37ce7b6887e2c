package dev.ama.cli;

import dev.ama.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "help",
    helpCommand = true,
    mixinStandardHelpOptions = true,
    description = {
      "Show the help of ama or of one of its commands.",
      "",
      "Without COMMAND: every command, the global options, where settings come from and the exit codes. With"
          + " COMMAND (nested ones as 'alias set'): that command's help, the same as 'ama COMMAND --help'.",
      ""
    },
    footer = {"%nExamples:", "  ama help", "  ama help upload", "  ama help alias set"})
final class HelpCommand extends AmaCommand {
  @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "A command, such as upload or alias set.")
  List<String> names = new ArrayList<>();

  @Override
  public Integer call() {
    CommandLine target = spec.root().commandLine();
    List<String> path = new ArrayList<>();
    for (String name : names) {
      CommandLine sub = target.getSubcommands().get(name);
      if (sub == null) {
        String parent = path.isEmpty() ? "ama" : "ama " + String.join(" ", path);
        throw usage(NotFoundException.suggesting(name, target.getSubcommands().keySet(),
            hint -> "'" + name + "' is not a command of " + parent + hint + " List them with: ama help"
                + (path.isEmpty() ? "" : " " + String.join(" ", path))).getMessage());
      }
      path.add(name);
      target = sub;
    }
    target.usage(out());
    return ExitCodes.OK;
  }
}
