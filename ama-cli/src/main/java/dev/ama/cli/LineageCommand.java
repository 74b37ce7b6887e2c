package dev.ama.cli;

import dev.ama.AssetClient;
import dev.ama.LineageGraph;
import dev.ama.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "lineage",
    mixinStandardHelpOptions = true,
    description = {
      "Show what a version was made from, or what was made from it.",
      "",
      "Follows refs upstream (default: the versions it was made from, transitively) or downstream"
          + " (--downstream: the versions that ref it). Prints an indented tree, JSON, Graphviz DOT"
          + " (render with dot -Tsvg) or a Mermaid flowchart.",
      ""
    },
    footer = {
      "%nJSON: {root, direction, truncated, nodes: [{version, type, aliases, depth, by, at}],"
          + " edges: [{from, to, alias}]}.",
      "%nExamples:",
      "  ama lineage sequence_models --alias my_model",
      "  ama lineage nlp_embeddings --alias my_training_inputs --downstream",
      "  ama lineage sequence_models --alias my_model --format dot | dot -Tsvg > lineage.svg"
    })
final class LineageCommand extends VersionCommand {
  /** Output formats. */
  enum Output {
    TEXT,
    JSON,
    DOT,
    MERMAID
  }

  @Option(names = "--downstream", description = "Follow refs the other way: what was made from this version.")
  boolean downstream;

  @Option(names = "--depth", paramLabel = "N", defaultValue = "20", description = "How many refs away to go (default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text, json, dot or mermaid (default: ${DEFAULT-VALUE}).")
  Output format;

  @Option(names = "--json", description = "Same as --format json.")
  boolean json;

  @Override
  public Integer call() {
    Names.checkType(type);
    if (depth < 1) {
      throw usage("--depth must be at least 1, was " + depth);
    }
    LineageGraph graph;
    try (AssetClient client = openClient()) {
      graph = client.lineage(client.version(type, alias),
          downstream ? LineageGraph.Direction.DOWNSTREAM : LineageGraph.Direction.UPSTREAM, depth);
    }
    Output output = json ? Output.JSON : format;
    if (output == Output.JSON) {
      Format.printJson(out(), Views.lineage(graph));
      return ExitCodes.OK;
    }
    // The graph lays out lines itself around names from the store: keep its lines, escape the rest.
    String text = switch (output) {
      case TEXT -> TerminalText.safeLines(graph.toText(Format::time));
      case DOT -> TerminalText.safeLines(graph.toDot());
      case MERMAID -> TerminalText.safeLines(graph.toMermaid());
      case JSON -> throw new IllegalStateException("printed above");
    };
    out().print(text.endsWith("\n") ? text : text + "\n");
    return ExitCodes.OK;
  }
}
