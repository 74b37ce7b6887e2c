package dev.ama.cli;

import dev.ama.InvalidInputException;
import dev.ama.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "set",
    mixinStandardHelpOptions = true,
    description = {
      "Set the alias, description or labels of the staged asset.",
      "",
      "The alias names the version after upload; uploading again under the same alias moves it, and its history is kept (ama log). An empty value clears the description or removes a label.",
      ""
    },
    footer = {
      "%nExamples:",
      "  ama set --alias my_model",
      "  ama set --description \"LSTM, lr 0.001\" --label stage=dev"
    })
final class SetCommand extends AmaCommand {
  @Option(names = "--alias", paramLabel = "ALIAS", description = "The alias: " + Names.ALIAS_RULE + ".")
  Optional<String> alias = Optional.empty();

  @Option(names = "--description", paramLabel = "TEXT", description = "Free text shown by 'ama show'.")
  Optional<String> description = Optional.empty();

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label, repeatable; KEY= removes it.")
  List<String> labels = new ArrayList<>();

  @Override
  public Integer call() {
    if (alias.isEmpty() && description.isEmpty() && labels.isEmpty()) {
      throw usage("set needs --alias, --description or --label, such as: ama set --alias my_model");
    }
    try (StageStore.Lock lock = stageStore().lock()) {
      return set();
    }
  }

  private int set() {
    Stage stage = startedStage();
    alias.ifPresent(Names::checkAlias);
    List<String[]> parsed = new ArrayList<>();
    for (String label : labels) {
      parsed.add(label(label, " (KEY= removes it)"));
    }
    alias.ifPresent(stage::alias);
    description.ifPresent(stage::description);
    parsed.forEach(kv -> stage.label(kv[0], kv[1]));
    stageStore().save(stage);
    List<String> changes = new ArrayList<>();
    alias.ifPresent(a -> changes.add("alias " + a));
    description.ifPresent(d -> changes.add(d.isEmpty() ? "no description" : "description"));
    parsed.forEach(kv -> changes.add(kv[1].isEmpty() ? "no label " + kv[0] : "label " + kv[0] + "=" + kv[1]));
    info("set " + String.join(", ", changes) + " on the staged " + stage.type().orElseThrow() + " asset");
    return ExitCodes.OK;
  }

  /**
   * A {@code --label KEY=VALUE} as its key and value.
   *
   * @param more what else the option accepts, for the message
   */
  static String[] label(String label, String more) {
    int eq = label.indexOf('=');
    if (eq <= 0) {
      throw new InvalidInputException(
          "invalid label '" + label + "': write it as KEY=VALUE, such as --label stage=prod" + more);
    }
    return new String[] {label.substring(0, eq).strip(), label.substring(eq + 1)};
  }
}
