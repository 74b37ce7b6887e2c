package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.Digest;
import dev.ama.InvalidInputException;
import dev.ama.SignatureReport;
import dev.ama.VerifyOptions;
import dev.ama.VerifyReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check the whole store and report each broken object with what it breaks.",
      "",
      "Checks that every alias log entry reads and names a manifest whose bytes hash to its id and parse as"
          + " canonical JSON; that every file's blob exists with the listed size; that every index marker exists"
          + " and none names a missing manifest. Each problem names the object, the aliases, alias entries and"
          + " versions it breaks (versions that ref a broken one included), and the fix. Objects nothing keeps and"
          + " temporary files are reported as leftovers, which are not problems.",
      "",
      "The store is listed once, and each alias entry and manifest is read once; --deep also reads every blob"
          + " and checks its SHA-256 (in parallel, with a progress bar at a terminal).",
      ""
    },
    footer = {
      "%nExit code: 0 if the store is consistent (after --repair, if only markers were missing), 6 if a problem"
          + " remains, 7 if the store could not be read.",
      "%nJSON: {store, ok, deep, checked, problems: [{kind, key, message, repaired, affects: {aliases, entries,"
          + " versions}}], leftovers}.",
      "%nExamples:",
      "  ama verify",
      "  ama verify --deep",
      "  ama verify --repair",
      "  ama verify --json --store s3://bucket/models"
    })
final class VerifyCommand extends AmaCommand {
  @Option(names = "--signatures", description = "Also check signatures against the trust policy (--trust, AMA_TRUST):"
      + " every alias head and version a client with that policy would refuse, and every damaged signature.")
  boolean signatures;

  @Option(names = "--trust", paramLabel = "DIR", description = "The trust policy for --signatures: a folder of public"
      + " keys (*.pub.pem) with an optional policy.yaml, or a policy file; default AMA_TRUST. See docs/trust.md.")
  Optional<String> trust;

  @Override
  Optional<String> trustOption() {
    return trust;
  }

  @Option(names = "--deep", description = "Also re-hash every blob: reads every byte of the store.")
  boolean deep;

  @Option(names = "--repair", description = "Write the index markers that are missing, from the manifests and alias"
      + " logs; nothing is deleted or overwritten.")
  boolean repair;

  @Option(names = "--json", description = "Print the report as JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    VerifyOptions options = VerifyOptions.DEFAULTS;
    if (deep) {
      options = options.withDeep();
    }
    if (repair) {
      options = options.withRepair();
    }
    VerifyReport report;
    String location;
    Optional<SignatureReport> signed = Optional.empty();
    try (AssetClient client = openClient()) {
      report = client.verify(options);
      location = client.location();
      if (signatures) {
        if (client.trustPolicy().isNone()) {
          throw new InvalidInputException("--signatures checks against a trust policy, and none is given: add --trust DIR"
              + " (a folder holding the release key's .pub.pem) or set " + Settings.ENV_TRUST);
        }
        signed = Optional.of(client.verifySignatures(client.trustPolicy()));
      }
    }
    if (json) {
      ObjectNode root = json(report, location);
      signed.ifPresent(s -> {
        ObjectNode n = root.putObject("signatures");
        n.put("ok", s.ok());
        n.put("versions", s.versions());
        n.put("aliases", s.aliases());
        n.put("signatures", s.signatures());
        s.problems().forEach(n.putArray("problems")::add);
      });
      Format.printJson(out(), root);
    } else {
      print(out(), report, location);
      signed.ifPresent(s -> {
        out().println(TerminalText.safe("signatures: checked " + s.aliases() + " alias head(s), " + s.versions()
            + " version(s), " + s.signatures() + " signature(s): " + (s.ok() ? "all trusted" : s.problems().size() + " problem(s)")));
        s.problems().forEach(p -> out().println(TerminalText.safe("  " + p)));
      });
    }
    return report.ok() && signed.map(SignatureReport::ok).orElse(true) ? ExitCodes.OK : ExitCodes.INTEGRITY;
  }

  static String kind(VerifyReport.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static ObjectNode json(VerifyReport r, String location) {
    ObjectNode root = Format.object();
    root.put("store", location);
    root.put("ok", r.ok());
    root.put("deep", r.deep());
    VerifyReport.Checked c = r.checked();
    ObjectNode checked = root.putObject("checked");
    checked.put("aliases", c.aliases());
    checked.put("aliasEntries", c.aliasEntries());
    checked.put("versions", c.versions());
    checked.put("blobs", c.blobs());
    checked.put("blobBytes", c.blobBytes());
    checked.put("blobsHashed", c.blobsHashed());
    checked.put("markers", c.markers());
    ArrayNode problems = root.putArray("problems");
    for (VerifyReport.Problem p : r.problems()) {
      ObjectNode n = problems.addObject();
      n.put("kind", kind(p.kind()));
      n.put("key", p.key());
      n.put("message", p.message());
      n.put("repaired", p.repaired());
      ObjectNode affects = n.putObject("affects");
      p.affects().aliases().forEach(affects.putArray("aliases")::add);
      p.affects().entries().forEach(affects.putArray("entries")::add);
      ArrayNode versions = affects.putArray("versions");
      p.affects().versions().forEach(v -> versions.add(v.toString()));
    }
    VerifyReport.Leftovers l = r.leftovers();
    ObjectNode leftovers = root.putObject("leftovers");
    leftovers.put("unreferencedManifests", l.manifests());
    leftovers.put("unreferencedManifestBytes", l.manifestBytes());
    leftovers.put("unreferencedBlobs", l.blobs());
    leftovers.put("unreferencedBlobBytes", l.blobBytes());
    leftovers.put("temporaryFiles", l.temporaryFiles());
    leftovers.put("temporaryBytes", l.temporaryBytes());
    leftovers.put("unrecognizedObjects", l.unrecognizedCount());
    l.unrecognized().forEach(leftovers.putArray("unrecognized")::add);
    return root;
  }

  private static void print(PrintWriter out, VerifyReport r, String location) {
    VerifyReport.Checked c = r.checked();
    out.println(TerminalText.safe("checked " + location + (r.deep() ? " (deep)" : "") + ": " + c.aliases()
        + " alias(es), " + c.aliasEntries() + " alias entries, " + c.versions() + " version(s), " + c.blobs()
        + " blob(s) (" + Format.size(c.blobBytes()) + (r.deep() ? ", " + c.blobsHashed() + " re-hashed" : "")
        + "), " + c.markers() + " index marker(s)"));
    for (VerifyReport.Problem p : r.problems()) {
      out.println(TerminalText.safe((p.repaired() ? "REPAIRED " : "PROBLEM  ") + kind(p.kind()) + "  " + p.key()));
      out.println(TerminalText.safe("  " + p.message()));
      String affects = affects(p.affects());
      if (!affects.isEmpty()) {
        out.println(TerminalText.safe("  affects " + affects));
      }
    }
    VerifyReport.Leftovers l = r.leftovers();
    List<String> left = new ArrayList<>();
    if (l.manifests() > 0 || l.blobs() > 0) {
      left.add(l.manifests() + " manifest(s) (" + Format.size(l.manifestBytes()) + ") and " + l.blobs() + " blob(s) ("
          + Format.size(l.blobBytes()) + ") that no alias entry keeps, directly or through refs: unreferenced, gc can"
          + " collect them");
    }
    if (l.temporaryFiles() > 0) {
      left.add(l.temporaryFiles() + " temporary file(s) (" + Format.size(l.temporaryBytes()) + ") of interrupted"
          + " writes in .ama-tmp/; the next write removes those whose writer is gone");
    }
    if (l.unrecognizedCount() > 0) {
      left.add(l.unrecognizedCount() + " object(s) AMA did not write, such as " + l.unrecognized().get(0)
          + "; AMA ignores them");
    }
    left.forEach(s -> out.println(TerminalText.safe("leftover: " + s)));
    if (!r.deep()) {
      out.println("note: blob contents were not re-hashed; 'ama verify --deep' also finds blobs replaced by other"
          + " bytes of the same size");
    }
    int remaining = r.unrepaired().size();
    int repaired = r.repaired().size();
    String fixed = repaired > 0 ? repaired + " problem(s) repaired" : "";
    if (remaining == 0) {
      out.println("ok: the store is consistent" + (fixed.isEmpty() ? "" : " (" + fixed + ")"));
    } else {
      out.println(remaining + " problem(s): the store is damaged" + (fixed.isEmpty() ? "" : "; " + fixed));
    }
  }

  private static String affects(VerifyReport.Affected a) {
    List<String> parts = new ArrayList<>();
    if (!a.aliases().isEmpty()) {
      parts.add("aliases " + String.join(", ", a.aliases()));
    }
    if (!a.entries().isEmpty()) {
      parts.add("alias entries " + String.join(", ", a.entries()));
    }
    if (!a.versions().isEmpty()) {
      parts.add("versions " + String.join(", ", a.versions().stream().map(Digest::toString).toList()));
    }
    return String.join("; ", parts);
  }
}
