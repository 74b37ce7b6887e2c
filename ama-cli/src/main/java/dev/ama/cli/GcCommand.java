package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.GcOptions;
import dev.ama.GcReport;
import dev.ama.spi.StorageOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = {
      "Remove the versions, blobs and index markers that nothing keeps.",
      "",
      "By default this is a dry run: it prints what would be removed and how many bytes, and removes nothing;"
          + " --yes removes it. Every version an alias log entry names is kept (the whole history), with every"
          + " version it refs and every file those hold, unless --keep-last or --keep-since choose fewer entries"
          + " (an entry either keeps is kept; each alias's current entry always is). Nothing younger than the"
          + " grace period, by the store's clock, is touched. Uploads running meanwhile lose nothing: each either"
          + " completes or fails naming the gc, and can be retried once it has finished. Alias logs are never"
          + " removed: ama log marks the entries whose versions were collected.",
      ""
    },
    footer = {
      "%nJSON: {deleted, complete, aliasEntries, keptVersions, collectable: {manifests, manifestBytes, blobs,"
          + " blobBytes, markers}, spared, collectedVersions: [id], notes: [text]}.",
      "%nSee docs/gc.md for the safety argument and what a killed gc leaves.",
      "%nExamples:",
      "  ama gc",
      "  ama gc --keep-last 5 --yes",
      "  ama gc --keep-since 2026-06-01 --grace 48h --yes --json"
    })
final class GcCommand extends AmaCommand {
  @Option(names = "--yes", description = "Remove what nothing keeps; without it, only report it.")
  boolean yes;

  @Option(names = "--keep-last", paramLabel = "N", description = "Keep only the last N entries of each alias log (and what they ref).")
  Integer keepLast;

  @Option(names = "--keep-since", paramLabel = "DATE", description = "Keep only entries made at or after DATE (YYYY-MM-DD in UTC, or an ISO-8601 instant).")
  String keepSince;

  @Option(names = "--grace", paramLabel = "DURATION", description = "Never touch objects younger than this (default 24h, at least 1h; "
      + StorageOptions.DURATION_UNITS + ").")
  String grace;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    GcOptions options = GcOptions.dryRun();
    if (yes) {
      options = options.deleting();
    }
    if (grace != null) {
      Duration d;
      try {
        d = StorageOptions.parseDuration(grace);
      } catch (IllegalArgumentException e) {
        throw new dev.ama.InvalidInputException("invalid --grace '" + grace + "': " + e.getMessage());
      }
      options = options.grace(d);
    }
    if (keepLast != null) {
      options = options.keepLast(keepLast);
    }
    if (keepSince != null) {
      options = options.keepSince(instant(keepSince));
    }
    GcReport r;
    try (AssetClient client = openClient()) {
      r = client.gc(options);
    }
    if (json) {
      Format.printJson(out(), toJson(r));
      return ExitCodes.OK;
    }
    GcReport.Counts c = r.collectable();
    String verb = r.deleted() ? "removed" : "would remove";
    for (var v : r.collectedVersions()) {
      out().println((r.deleted() ? "removed version " : "would remove version ") + v);
    }
    out().println(verb + " " + c.manifests() + " version(s) (" + Format.size(c.manifestBytes()) + "), " + c.blobs()
        + " blob(s) (" + Format.size(c.blobBytes()) + ") and " + c.markers() + " index marker(s): "
        + Format.size(c.bytes()) + " in all");
    out().println("kept " + r.keptVersions() + " version(s) named by " + r.aliasEntries() + " alias entr"
        + (r.aliasEntries() == 1 ? "y" : "ies") + " and their refs; spared " + r.spared()
        + " unkept object(s) younger than the grace period or leased by uploads");
    for (String n : r.notes()) {
      out().println("note: " + TerminalText.safe(n));
    }
    if (!r.deleted() && c.manifests() + c.blobs() > 0) {
      out().println("this was a dry run; run again with --yes to remove them");
    }
    if (!r.complete()) {
      out().println("gc stopped before it was done; run it again to remove the rest");
    }
    return ExitCodes.OK;
  }

  private static ObjectNode toJson(GcReport r) {
    ObjectNode n = Format.object();
    n.put("deleted", r.deleted());
    n.put("complete", r.complete());
    n.put("aliasEntries", r.aliasEntries());
    n.put("keptVersions", r.keptVersions());
    ObjectNode c = n.putObject("collectable");
    c.put("manifests", r.collectable().manifests());
    c.put("manifestBytes", r.collectable().manifestBytes());
    c.put("blobs", r.collectable().blobs());
    c.put("blobBytes", r.collectable().blobBytes());
    c.put("markers", r.collectable().markers());
    n.put("spared", r.spared());
    ArrayNode versions = n.putArray("collectedVersions");
    r.collectedVersions().forEach(v -> versions.add(v.toString()));
    ArrayNode notes = n.putArray("notes");
    r.notes().forEach(notes::add);
    return n;
  }

  private static Instant instant(String text) {
    String t = text.strip();
    try {
      if (t.length() == 10) {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      throw new dev.ama.InvalidInputException("invalid --keep-since '" + text + "': give a date such as 2026-06-01"
          + " (UTC) or an instant such as 2026-06-01T12:00:00Z");
    }
  }
}
