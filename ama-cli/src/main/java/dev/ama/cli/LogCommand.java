package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.HistoryEntry;
import dev.ama.Names;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = {
      "Show the history of an alias, newest first.",
      "",
      "Each entry of the alias's log: its sequence number, the version it pointed the alias at (uploads, promotions,"
          + " rollbacks) or '(removed)' for a removal, who did it and when. A removed alias's log is shown whole.",
      "A version that garbage collection removed (ama gc with a retention policy) is marked collected;"
          + " one missing without a gc is marked missing (run ama verify).",
      ""
    },
    footer = {
      "%nJSON: {schema, entries: [{type, alias, seq, version, removed, by, at, previous, state}]}, newest first;"
          + " previous is null when the alias pointed at nothing before (the first entry, the entry after a removal),"
          + " version is null and removed true for a removal; state is stored, collected or missing.",
      "%nExamples:",
      "  ama log sequence_models --alias my_model",
      "  ama log sequence_models --alias my_model --json"
    })
final class LogCommand extends AmaCommand {
  @Parameters(index = "0", paramLabel = "TYPE", description = "The asset type.")
  String type;

  @Option(names = "--alias", required = true, paramLabel = "ALIAS", description = "The alias.")
  String alias;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    Names.checkType(type);
    Names.checkAlias(alias);
    List<HistoryEntry> history;
    try (AssetClient client = openClient()) {
      history = new ArrayList<>(client.historyStatus(type, alias));
    }
    Collections.reverse(history);
    if (json) {
      ArrayNode array = Format.array();
      history.forEach(h -> array.add(Views.entry(h.entry()).put("state", h.state().name().toLowerCase(java.util.Locale.ROOT))));
      Format.printJsonList(out(), "entries", array);
      return ExitCodes.OK;
    }
    Format.Table table = new Format.Table().row("SEQ", "VERSION", "BY", "AT");
    for (HistoryEntry h : history) {
      AliasEntry e = h.entry();
      String state = h.state() == HistoryEntry.State.STORED ? "" : " (" + h.state().name().toLowerCase(java.util.Locale.ROOT) + ")";
      table.row(String.valueOf(e.seq()), e.target().map(Object::toString).orElse(Views.REMOVED) + state, e.by(),
          Format.time(e.at()));
    }
    table.print(out(), "");
    return ExitCodes.OK;
  }
}
