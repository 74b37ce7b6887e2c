package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.AssetFile;
import dev.ama.AssetVersion;
import dev.ama.Comparison;
import dev.ama.Names;
import dev.ama.NotFoundException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compare the parameters of several versions side by side.",
      "",
      "Reads every YAML and JSON file of each version (or only --file), flattens their keys"
          + " (training.yml:optimizer.learning_rate) and prints one row per key and one column per"
          + " version, keys whose values differ first. By default only the differing rows are printed,"
          + " with a count of the equal ones; --all prints every row. A version without a key shows '-'."
          + " VERSION is a selector: alias, alias@N (its N-th move), sha256:<hex> or a unique digest prefix.",
      ""
    },
    footer = {
      "%nJSON: {versions: [{selector, version, type}], rows: [{key, values: [value | null, ...], differs}]},"
          + " every row, differing ones first; values are in the order of versions.",
      "%nExamples:",
      "  ama compare sequence_models my_model@1 my_model@2 my_model",
      "  ama compare sequence_models my_model other_model --file training.yml",
      "  ama compare sequence_models my_model@1 my_model --all",
      "  ama compare sequence_models my_model@1 my_model --json"
    })
final class CompareCommand extends AmaCommand {
  /** What a version lacking a key shows in the table. */
  static final String MISSING = "-";

  @Parameters(index = "0", paramLabel = "TYPE", description = "The asset type.")
  String type;

  @Parameters(index = "1..*", arity = "2..*", paramLabel = "VERSION", description = "Two or more versions to compare.")
  List<String> selectors = new ArrayList<>();

  @Option(
      names = "--file",
      paramLabel = "PATH",
      description = "Compare only the keys of this file (for example training.yml), shown without"
          + " the file name; every version must have it.")
  Optional<String> file = Optional.empty();

  @Option(names = "--all", description = "Print every row, equal ones too; differing rows are marked with '*'.")
  boolean all;

  @Option(names = "--json", description = "Print JSON for scripts (always every row).")
  boolean json;

  @Override
  public Integer call() {
    Names.checkType(type);
    List<AssetVersion> versions = new ArrayList<>();
    Comparison comparison;
    try (AssetClient client = openClient()) {
      for (String selector : selectors) {
        AssetVersion v = client.version(type, selector);
        file.ifPresent(f -> requireFile(selector, v, f));
        versions.add(v);
      }
      comparison = client.compare(versions, file);
    }
    if (json) {
      Format.printJson(out(), toJson(comparison));
    } else {
      print(out(), comparison);
    }
    return ExitCodes.OK;
  }

  /** Says which selector lacks the file before the core reads any of them. */
  private void requireFile(String selector, AssetVersion v, String path) {
    if (v.file(path).isPresent()) {
      return;
    }
    List<String> paths = v.files().stream().map(AssetFile::path).toList();
    // Only parameter files are worth suggesting: model.h5 is near model.yml but holds no keys.
    throw NotFoundException.suggesting(path, paths.stream().filter(CompareCommand::isParameterFile).toList(),
        hint -> "version " + selector + " (" + Views.shortId(v.version()) + ") of " + type
            + " has no file '" + path + "'" + (hint.isEmpty() ? "." : hint) + " Its files: " + String.join(", ", paths)
            + "; compare a file every version has, or leave out --file to compare all YAML and JSON files");
  }

  private static boolean isParameterFile(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    return p.endsWith(".yml") || p.endsWith(".yaml") || p.endsWith(".json");
  }

  private void print(PrintWriter out, Comparison comparison) {
    if (comparison.rows().isEmpty()) {
      out.println(TerminalText.safe("no parameters to compare: " + (file.isPresent()
          ? "'" + file.get() + "' holds no keys in any of the versions"
          : "none of the versions holds a YAML or JSON file; see their files with: ama show " + type + " --alias "
              + selectors.get(0))));
      return;
    }
    List<Comparison.Row> differing = comparison.differing();
    List<Comparison.Row> shown = all ? comparison.rows() : differing;
    int equal = comparison.rows().size() - differing.size();
    if (!shown.isEmpty()) {
      Format.Table table = new Format.Table();
      List<String> names = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      if (all) {
        names.add("");
        ids.add("");
      }
      names.add("KEY");
      ids.add("");
      for (int i = 0; i < selectors.size(); i++) {
        names.add(selectors.get(i));
        ids.add(Views.shortId(comparison.versions().get(i).version()));
      }
      table.row(names.toArray(String[]::new));
      table.row(ids.toArray(String[]::new));
      for (Comparison.Row row : shown) {
        List<String> cells = new ArrayList<>();
        if (all) {
          cells.add(row.differs() ? "*" : "");
        }
        cells.add(row.key());
        row.values().forEach(v -> cells.add(v.orElse(MISSING)));
        table.row(cells.toArray(String[]::new));
      }
      table.print(out, "");
    }
    if (differing.isEmpty()) {
      out.println("all " + equal + " parameter(s) are equal");
    } else if (all) {
      out.println(differing.size() + " of " + comparison.rows().size() + " parameter(s) differ");
    } else {
      out.println(differing.size() + " parameter(s) differ" + (equal == 0 ? ""
          : "; " + equal + " equal parameter(s) not shown (--all shows them)"));
    }
  }

  private ObjectNode toJson(Comparison comparison) {
    ObjectNode root = Format.object();
    ArrayNode versions = root.putArray("versions");
    for (int i = 0; i < selectors.size(); i++) {
      AssetVersion v = comparison.versions().get(i);
      versions.addObject().put("selector", selectors.get(i)).put("version", v.version().toString()).put("type", v.type());
    }
    ArrayNode rows = root.putArray("rows");
    for (Comparison.Row row : comparison.rows()) {
      ObjectNode node = rows.addObject().put("key", row.key());
      ArrayNode values = node.putArray("values");
      row.values().forEach(v -> values.add(v.orElse(null)));
      node.put("differs", row.differs());
    }
    return root;
  }
}
