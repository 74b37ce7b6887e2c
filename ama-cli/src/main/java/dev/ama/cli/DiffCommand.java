package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.AssetDiff;
import dev.ama.AssetFile;
import dev.ama.AssetVersion;
import dev.ama.Names;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description = {
      "Show what changed between two versions of a type.",
      "",
      "Files added, removed, changed and renamed, and for changed YAML and JSON files the"
          + " parameters that changed (training.yml: learning_rate 0.001 -> 0.0005). FROM and TO are"
          + " selectors: alias, alias@N (its N-th move), sha256:<hex> or a unique digest prefix.",
      ""
    },
    footer = {
      "%nJSON: {from, to, added: [{path, size, digest}], removed: [...], changed: [{path, before, after,"
          + " parameters: [{key, before, after}], note}], renamed: [{from, to, digest}], unchanged}.",
      "%nExamples:",
      "  ama diff sequence_models my_model@1 my_model",
      "  ama diff sequence_models my_model other_model --json",
      "  ama diff sequence_models my_model --to-type rnn_models their_model"
    })
final class DiffCommand extends AmaCommand {
  @Parameters(index = "0", paramLabel = "TYPE", description = "The asset type.")
  String type;

  @Parameters(index = "1", paramLabel = "FROM", description = "The older version.")
  String from;

  @Parameters(index = "2", paramLabel = "TO", description = "The newer version.")
  String to;

  @Option(names = "--to-type", paramLabel = "TYPE", description = "The type of TO, when it differs from TYPE.")
  Optional<String> toType = Optional.empty();

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    Names.checkType(type);
    toType.ifPresent(Names::checkType);
    AssetDiff diff;
    try (AssetClient client = openClient()) {
      AssetVersion a = client.version(type, from);
      AssetVersion b = client.version(toType.orElse(type), to);
      diff = client.diff(a, b);
    }
    if (json) {
      Format.printJson(out(), toJson(diff));
    } else {
      print(out(), diff);
    }
    return ExitCodes.OK;
  }

  private void print(PrintWriter out, AssetDiff diff) {
    out.println(TerminalText.safe("from " + diff.from().type() + "/" + from + " " + diff.from().version()));
    out.println(TerminalText.safe("to   " + diff.to().type() + "/" + to + " " + diff.to().version()));
    if (diff.typesDiffer()) {
      out.println(TerminalText.safe("note: the versions are of different asset types (" + diff.from().type() + ", "
          + diff.to().type() + ")"));
    }
    if (diff.filesEqual()) {
      out.println("same files (" + diff.unchanged() + ")");
      return;
    }
    Format.Table table = new Format.Table();
    diff.added().forEach(f -> table.row("added", f.path(), Format.size(f.size())));
    diff.removed().forEach(f -> table.row("removed", f.path(), Format.size(f.size())));
    diff.renamed().forEach(r -> table.row("renamed", r.from() + " -> " + r.to(), ""));
    diff.changed().forEach(c -> table.row("changed", c.path(),
        Format.size(c.before().size()) + " -> " + Format.size(c.after().size())));
    table.print(out, "  ");
    for (AssetDiff.FileChange c : diff.changed()) {
      if (!c.parameters().isEmpty() || c.note().isPresent()) {
        out.println(TerminalText.safe(c.path() + ":"));
        c.parameters().forEach(p -> out.println(TerminalText.safe("  " + p.key() + ": "
            + p.before().orElse("(absent)") + " -> " + p.after().orElse("(absent)"))));
        c.note().ifPresent(n -> out.println(TerminalText.safe("  (" + n + ")")));
      }
    }
    out.println(diff.unchanged() + " file(s) unchanged");
  }

  private static ObjectNode toJson(AssetDiff diff) {
    ObjectNode root = Format.object();
    root.put("from", diff.from().version().toString());
    root.put("to", diff.to().version().toString());
    ArrayNode added = root.putArray("added");
    diff.added().forEach(f -> added.add(file(f)));
    ArrayNode removed = root.putArray("removed");
    diff.removed().forEach(f -> removed.add(file(f)));
    ArrayNode changed = root.putArray("changed");
    for (AssetDiff.FileChange c : diff.changed()) {
      ObjectNode node = changed.addObject();
      node.put("path", c.path());
      node.set("before", file(c.before()));
      node.set("after", file(c.after()));
      ArrayNode parameters = node.putArray("parameters");
      c.parameters().forEach(p -> parameters.addObject()
          .put("key", p.key())
          .put("before", p.before().orElse(null))
          .put("after", p.after().orElse(null)));
      node.put("note", c.note().orElse(null));
    }
    ArrayNode renamed = root.putArray("renamed");
    diff.renamed().forEach(r -> renamed.addObject()
        .put("from", r.from()).put("to", r.to()).put("digest", r.digest().toString()));
    root.put("unchanged", diff.unchanged());
    return root;
  }

  private static ObjectNode file(AssetFile f) {
    return Format.object().put("path", f.path()).put("size", f.size()).put("digest", f.digest().toString());
  }
}
