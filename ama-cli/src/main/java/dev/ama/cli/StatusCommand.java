package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.InvalidInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show what this folder will upload.",
      "",
      "The asset type, alias, files with sizes, refs, labels, and the last upload. Works offline: the store is not contacted.",
      ""
    },
    footer = {"%nExamples:", "  ama status", "  ama status --json"})
final class StatusCommand extends AmaCommand {
  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    Stage stage = stageStore().load();
    Settings.Value store;
    try {
      store = cli().settings().store(cli().storeOption());
    } catch (InvalidInputException e) {
      // Status works offline and must still show the stage when the store setting is broken.
      store = new Settings.Value("(not configured)", e.getMessage());
    }
    Optional<Settings.Transfers> transfers;
    String transfersError = null;
    try {
      transfers = Optional.of(cli().settings().transfers(cli().concurrencyOption(), cli().partSizeOption()));
    } catch (InvalidInputException e) {
      transfers = Optional.empty();
      transfersError = e.getMessage();
    }
    if (json) {
      printJson(stage, store, transfers, transfersError);
    } else {
      printText(stage, store, transfers, transfersError);
    }
    return ExitCodes.OK;
  }

  private void printText(Stage stage, Settings.Value store, Optional<Settings.Transfers> transfers, String error) {
    PrintWriter out = out();
    out.println(TerminalText.safe("store:  " + store.value() + " (" + store.origin() + ")"));
    out.println(TerminalText.safe("transfers: " + transfers.map(t -> t.settings().concurrency() + " files at once ("
        + t.concurrencyOrigin() + "), parts of " + Format.size(t.settings().partSize()) + " (" + t.partSizeOrigin()
        + ")").orElse("(invalid) " + error)));
    if (stage.type().isEmpty()) {
      out.println(TerminalText.safe("no asset started in " + workDir() + "; start one with: ama init <type>"));
      return;
    }
    out.println(TerminalText.safe("asset:  " + stage.type().get()
        + (stage.hasPendingWork() ? " (not uploaded yet)" : "")));
    out.println(TerminalText.safe("alias:  " + stage.alias().orElse("(none; set one with: ama set --alias NAME)")));
    stage.description().ifPresent(d -> out.println(TerminalText.safe("description: " + d)));
    if (!stage.labels().isEmpty()) {
      out.println(TerminalText.safe("labels: " + String.join(", ",
          stage.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())));
    }
    if (stage.files().isEmpty()) {
      out.println("files:  none staged; add some with: ama add FILE...");
    } else {
      long total = 0;
      Format.Table table = new Format.Table();
      for (Stage.StagedFile f : stage.files().values()) {
        OptionalLong size = size(f);
        total += size.orElse(0);
        String where = f.source().equals(f.path()) ? "" : "from " + f.source();
        table.row(f.path(), size.isPresent() ? Format.size(size.getAsLong()) : "MISSING", where);
      }
      out.println("files:  " + stage.files().size() + " (" + Format.size(total) + ")");
      table.print(out, "  ");
    }
    if (!stage.refs().isEmpty()) {
      out.println("refs:");
      stage.refs().forEach(r -> out.println(TerminalText.safe("  " + r)));
    }
    stage.lastUpload().ifPresent(u -> out.println(TerminalText.safe("last upload: " + u.type()
        + u.alias().map(a -> "/" + a).orElse("") + " " + u.version() + " at " + Format.time(u.at()))));
  }

  private void printJson(Stage stage, Settings.Value store, Optional<Settings.Transfers> transfers, String error) {
    ObjectNode root = Format.object();
    root.put("workDir", workDir().toString());
    root.put("store", store.value());
    root.put("storeOrigin", store.origin());
    root.put("type", stage.type().orElse(null));
    root.put("alias", stage.alias().orElse(null));
    root.put("description", stage.description().orElse(null));
    ObjectNode labels = root.putObject("labels");
    stage.labels().forEach(labels::put);
    ArrayNode files = root.putArray("files");
    for (Stage.StagedFile f : stage.files().values()) {
      ObjectNode file = files.addObject().put("path", f.path()).put("source", f.source());
      OptionalLong size = size(f);
      if (size.isPresent()) {
        file.put("size", size.getAsLong());
      } else {
        file.putNull("size");
      }
      file.put("missing", size.isEmpty());
    }
    ArrayNode refs = root.putArray("refs");
    stage.refs().forEach(r -> StageStore.putRef(refs.addObject(), r));
    StageStore.putLastUpload(root, stage);
    ObjectNode t = root.putObject("transfers");
    if (transfers.isPresent()) {
      t.put("concurrency", transfers.get().settings().concurrency());
      t.put("concurrencyOrigin", transfers.get().concurrencyOrigin());
      t.put("partSize", transfers.get().settings().partSize());
      t.put("partSizeOrigin", transfers.get().partSizeOrigin());
    } else {
      t.putNull("concurrency").put("concurrencyOrigin", error).putNull("partSize").put("partSizeOrigin", error);
    }
    Format.printJson(out(), root);
  }

  private OptionalLong size(Stage.StagedFile f) {
    Path source = workDir().resolve(f.source());
    try {
      return Files.isRegularFile(source) ? OptionalLong.of(Files.size(source)) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }
}
