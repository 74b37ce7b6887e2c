package dev.ama.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a shell completion script for ama.",
      "",
      "Completes commands, options and option values. The bash script is picocli's; the zsh script is the"
          + " same script loaded through zsh's bashcompinit, which runs bash completion functions under zsh.",
      ""
    },
    footer = {
      "%nExamples:",
      "  source <(ama completion bash)                  in ~/.bashrc",
      "  source <(ama completion zsh)                   in ~/.zshrc",
      "  ama completion bash > /etc/bash_completion.d/ama"
    })
final class CompletionCommand extends AmaCommand {
  /** The shells a script is printed for, as they are completed and named in messages. */
  static final List<String> SHELLS = List.of("bash", "zsh");

  /** Lets the completion script complete the shell names, in lowercase as they are typed. */
  static final class Shells implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return SHELLS.iterator();
    }
  }

  @Parameters(index = "0", paramLabel = "SHELL", completionCandidates = Shells.class, description = "bash or zsh.")
  String shell;

  @Override
  public Integer call() {
    String name = shell.toLowerCase(Locale.ROOT);
    if (!SHELLS.contains(name)) {
      throw usage("no completion script for the shell '" + shell + "': give bash or zsh (other shells that load bash"
          + " completion, such as zsh with bashcompinit, can use the bash script)");
    }
    out().print(script(name));
    return ExitCodes.OK;
  }

  /** The completion script of the whole {@code ama} command for a shell. */
  private String script(String shell) {
    String bash = AutoComplete.bash("ama", spec.root().commandLine());
    if (shell.equals("bash")) {
      return bash;
    }
    // picocli writes bash completion only; zsh runs it once compinit and bashcompinit are loaded.
    return "#compdef ama\n"
        + "# zsh completion for ama: the bash completion script below, run by zsh's bashcompinit.\n"
        + "autoload -U +X compinit && compinit\n"
        + "autoload -U +X bashcompinit && bashcompinit\n"
        + bash;
  }
}
