package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.InvalidInputException;
import dev.ama.NotFoundException;
import dev.ama.ProbeOptions;
import dev.ama.ProbeReport;
import dev.ama.spi.StorageOptions;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Probe the store for what AMA relies on, and print a verdict per property with what it means.",
      "",
      "Races create-only writes between threads and between separate processes (exactly one must win each"
          + " key), checks that listings come in the order of keys' UTF-8 bytes and show every object just"
          + " written, that objects read back right after their write, how far the store's clock is from this"
          + " machine's, and whether this client may read, upload, move aliases and delete. Everything is"
          + " written under probe/<random>/ (and one blob, one object under aliases/) and removed afterwards;"
          + " gc and verify ignore probe/. The verdict is recorded in probe/verdict.json for other clients:"
          + " ama doctor --show prints it. Like upload, it creates a store in an empty location.",
      ""
    },
    footer = {
      "%nExit code: 0 if every property AMA needs holds (permissions and the clock only inform), 6 if one is"
          + " broken (for --show: in the recorded verdict), 3 if --show finds no recorded verdict, 7 if the store"
          + " could not be reached.",
      "%nJSON: {store, by, at, ok, recorded, clockSkewMillis, checks: [{property, verdict, required, detail,"
          + " meaning}], leftovers: [key]}.",
      "%nSee docs/trust.md (the store probe) for what each verdict means.",
      "%nExamples:",
      "  ama doctor",
      "  ama doctor --rounds 200 --processes 4 --store s3://bucket/models",
      "  ama doctor --show --json"
    })
final class DoctorCommand extends AmaCommand {
  @Option(names = "--rounds", paramLabel = "N", description = "How many keys the racing writers fight over (default "
      + "20, a few seconds on a local store; more finds rarer races).")
  Integer rounds;

  @Option(names = "--processes", paramLabel = "N", description = "How many child processes race with the threads"
      + " (default 2; 0 skips the race between processes).")
  Integer processes;

  @Option(names = "--clock-tolerance", paramLabel = "DURATION", description = "How far the store's clock may be"
      + " from this machine's (default 1m; " + StorageOptions.DURATION_UNITS + ").")
  String clockTolerance;

  @Option(names = "--show", description = "Print the verdict last recorded in the store, probing nothing.")
  boolean show;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    ProbeOptions options = options();
    ProbeReport r;
    try (AssetClient client = openClient()) {
      if (show) {
        r = client.lastProbe().orElseThrow(() -> new NotFoundException("no probe verdict is recorded in "
            + client.location() + " (" + ProbeReport.KEY + "); run: ama doctor"));
      } else {
        r = client.probe(options);
      }
    }
    if (json) {
      Format.printJson(out(), toJson(r));
    } else {
      print(r);
    }
    return r.ok() ? ExitCodes.OK : ExitCodes.INTEGRITY;
  }

  private ProbeOptions options() {
    if (show && (rounds != null || processes != null || clockTolerance != null)) {
      throw new InvalidInputException("--show prints the recorded verdict and probes nothing, so --rounds, --processes"
          + " and --clock-tolerance do not apply; drop them or drop --show");
    }
    ProbeOptions o = ProbeOptions.DEFAULTS;
    if (rounds != null) {
      o = o.withRounds(rounds);
    }
    if (processes != null) {
      o = o.withProcesses(processes);
    }
    if (clockTolerance != null) {
      Duration d;
      try {
        d = StorageOptions.parseDuration(clockTolerance);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("invalid --clock-tolerance '" + clockTolerance + "': " + e.getMessage());
      }
      o = o.withClockTolerance(d);
    }
    return o;
  }

  private void print(ProbeReport r) {
    out().println((show ? "last probe of " : "probed ") + TerminalText.safe(r.location()) + " by "
        + TerminalText.safe(r.by()) + " at " + Format.time(r.at()));
    for (ProbeReport.Check c : r.checks()) {
      String verdict = c.verdict() == ProbeReport.Verdict.BROKEN ? "BROKEN" : c.verdict().name().toLowerCase(Locale.ROOT);
      out().printf("%-8s %-22s %s%n", verdict, property(c.property()), TerminalText.safe(c.detail()));
      out().println("         " + " ".repeat(22) + " " + TerminalText.safe(c.meaning()));
    }
    if (!r.leftovers().isEmpty()) {
      out().println("left " + r.leftovers().size() + " probe object(s) it could not delete, such as "
          + TerminalText.safe(r.leftovers().get(0)) + "; a client that may delete removes them");
    }
    if (!show) {
      out().println(r.recorded() ? "recorded in " + ProbeReport.KEY + "; 'ama doctor --show' prints it"
          : "not recorded: this client could not write " + ProbeReport.KEY);
    }
    out().println(r.ok() ? "ok: the store has every property AMA needs"
        : "BROKEN: the store lacks a property AMA needs; see the lines marked BROKEN");
  }

  private static String property(ProbeReport.Property p) {
    return p.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static ObjectNode toJson(ProbeReport r) {
    ObjectNode n = Format.object();
    n.put("store", r.location());
    n.put("by", r.by());
    n.put("at", Format.time(r.at()));
    n.put("ok", r.ok());
    n.put("recorded", r.recorded());
    if (r.clockSkew().isPresent()) {
      n.put("clockSkewMillis", r.clockSkew().get().toMillis());
    } else {
      n.putNull("clockSkewMillis");
    }
    ArrayNode checks = n.putArray("checks");
    for (ProbeReport.Check c : r.checks()) {
      checks.addObject()
          .put("property", property(c.property()))
          .put("verdict", c.verdict().name().toLowerCase(Locale.ROOT))
          .put("required", c.property().required())
          .put("detail", c.detail())
          .put("meaning", c.meaning());
    }
    ArrayNode left = n.putArray("leftovers");
    r.leftovers().forEach(left::add);
    return n;
  }
}
