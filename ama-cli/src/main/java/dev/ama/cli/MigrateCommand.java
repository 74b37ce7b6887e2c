package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.MigrateOptions;
import dev.ama.MigrationReport;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Migrate the store to store format 2: small files in packs, one upload record per version.",
      "",
      "By default this is a dry run: it prints how many versions, blobs and bytes it would pack, and writes"
          + " nothing; --yes migrates. Every version gets its upload record, its files under 1 MiB are copied"
          + " into packs, and then the store's format marker switches to 2, after which AMA releases that know"
          + " only format 1 refuse the store (upgrade them first). Version ids, aliases and their history, refs"
          + " and signatures do not change.",
      "",
      "Resumable: a migration that was stopped or killed leaves a consistent store (still format 1 before the"
          + " switch); run it again to finish. On a migrated store it writes nothing. The loose copies of packed"
          + " files are not deleted: ama gc removes them after its grace period.",
      ""
    },
    footer = {
      "%nJSON: {written, formatBefore, formatAfter, versions, versionsMigrated, blobsPacked, bytesPacked, packs,"
          + " notes: [text]}.",
      "%nSee docs/store-format.md, \"Migrating to version 2\".",
      "%nExamples:",
      "  ama migrate",
      "  ama migrate --yes",
      "  ama migrate --yes --json --store s3://bucket/models"
    })
final class MigrateCommand extends AmaCommand {
  /** Progress lines at most this often, so a large store's migration shows it is moving without flooding. */
  private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

  @Option(names = "--yes", description = "Migrate the store; without it, only report what would be done.")
  boolean yes;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    MigrateOptions options = yes ? MigrateOptions.dryRun().migrating() : MigrateOptions.dryRun();
    if (!json && !cli().quiet()) {
      options = options.progress(progressLines(cli().err(), yes));
    }
    MigrationReport r;
    try (AssetClient client = openClient()) {
      r = client.migrate(options);
    }
    if (json) {
      Format.printJson(out(), toJson(r));
      return ExitCodes.OK;
    }
    if (r.upToDate()) {
      out().println("the store is in format 2 and all " + r.versions() + " version(s) have their upload record:"
          + " nothing to do");
    } else {
      String verb = r.written() ? "packed " : "would pack ";
      out().println(verb + r.blobsPacked() + " blob(s) (" + Format.size(r.bytesPacked()) + ") into " + r.packs()
          + " pack(s), and " + (r.written() ? "wrote" : "would write") + " the upload records of "
          + r.versionsMigrated() + " of " + r.versions() + " version(s)");
      if (r.written()) {
        out().println("the store is now in format " + r.formatAfter() + (r.formatBefore() != r.formatAfter()
            ? " (was " + r.formatBefore() + "); AMA releases that know only format 1 refuse it" : ""));
      } else if (r.formatBefore() == 1) {
        out().println("it would then switch the store to format 2, which AMA releases that know only format 1 refuse");
      }
    }
    for (String n : r.notes()) {
      out().println("note: " + TerminalText.safe(n));
    }
    if (!r.written() && !r.upToDate()) {
      out().println("this was a dry run; run again with --yes to migrate");
    }
    return ExitCodes.OK;
  }

  private static java.util.function.Consumer<MigrationReport.Progress> progressLines(PrintWriter err, boolean writing) {
    long[] last = {System.nanoTime()};
    return p -> {
      long now = System.nanoTime();
      if (now - last[0] >= PROGRESS_EVERY_NANOS) {
        last[0] = now;
        err.println((writing ? "migrating: " : "counting: ") + p.versionsSeen() + " version(s) listed, "
            + p.versionsMigrated() + " given a record, " + p.blobsPacked() + " blob(s) packed ("
            + Format.size(p.bytesPacked()) + ")");
        err.flush();
      }
    };
  }

  private static ObjectNode toJson(MigrationReport r) {
    ObjectNode n = Format.object();
    n.put("written", r.written());
    n.put("formatBefore", r.formatBefore());
    n.put("formatAfter", r.formatAfter());
    n.put("versions", r.versions());
    n.put("versionsMigrated", r.versionsMigrated());
    n.put("blobsPacked", r.blobsPacked());
    n.put("bytesPacked", r.bytesPacked());
    n.put("packs", r.packs());
    ArrayNode notes = n.putArray("notes");
    r.notes().forEach(notes::add);
    return n;
  }
}
