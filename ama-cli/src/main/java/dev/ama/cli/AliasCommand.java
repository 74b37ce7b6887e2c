package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AliasEntry;
import dev.ama.AliasExpectation;
import dev.ama.AliasUpdate;
import dev.ama.AssetClient;
import dev.ama.ConflictException;
import dev.ama.Digest;
import dev.ama.SigningKey;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "alias",
    mixinStandardHelpOptions = true,
    subcommands = {AliasCommand.Set.class, AliasCommand.Remove.class},
    synopsisSubcommandLabel = "COMMAND",
    description = {
      "Move or remove an alias without uploading anything.",
      "",
      "Promotion and rollback point an alias at a version that is already stored: the very version, with its id,"
          + " refs and labels. Each move or removal is the next entry of the alias's log, so 'ama log' shows who did"
          + " it and when. --expect makes it a compare-and-swap: of several racing updates expecting the same"
          + " version, exactly one wins, and the others fail with exit code 5 and write nothing.",
      ""
    },
    commandListHeading = "%nCommands:%n",
    footer = {
      "%nExamples:",
      "  # promote staging's version to prod",
      "  ama alias set rnn_models prod staging",
      "  # roll prod back to its first entry",
      "  ama alias set rnn_models prod prod@1",
      "  # only if prod still points at prod@3's version",
      "  ama alias set rnn_models prod staging --expect prod@3",
      "  # only if prod points at nothing yet",
      "  ama alias set rnn_models prod 3f2a9c1b --expect none",
      "  ama alias rm rnn_models canary"
    })
final class AliasCommand extends AmaCommand {
  @Override
  public Integer call() {
    return missingSubcommand();
  }

  /** What both subcommands share: the alias, --expect and --json, and how an outcome is reported. */
  abstract static class Update extends AmaCommand {
    @Parameters(index = "0", paramLabel = "TYPE", description = "The asset type.")
    String type;

    @Parameters(index = "1", paramLabel = "ALIAS", description = "The alias to move or remove.")
    String alias;

    @Option(
        names = "--expect",
        paramLabel = "SELECTOR|none",
        description = "Only if the alias points now at the version SELECTOR names (alias, alias@N, sha256:<hex> or"
            + " a unique prefix), or with 'none' only if it points at nothing (never set, or removed); else exit 5"
            + " and write nothing.")
    String expect;

    @Option(names = "--json", description = "Print the outcome as JSON for scripts.")
    boolean json;

    @Option(names = "--sign", paramLabel = "KEY", description = "Sign the entry with this release key (NAME.key.pem, or"
        + " FILE.p12[:ENTRY] with AMA_KEY_PASSWORD), so clients requiring signed moves follow it; an alias already"
        + " there gets a signed entry. See docs/trust.md.")
    Optional<String> sign;

    /** The key of --sign, read before the store is opened so that a wrong path or password fails first. */
    Optional<SigningKey> signer() {
      return sign.map(this::signingKey);
    }

    AliasExpectation expectation(AssetClient client) {
      if (expect == null) {
        return AliasExpectation.any();
      }
      if (expect.equals("none")) {
        return AliasExpectation.unset();
      }
      return AliasExpectation.version(client.version(type, expect).version());
    }

    /** Prints the outcome; a mismatch is exit 5, naming what the alias holds and how to retry. */
    int report(AliasUpdate update, String done) {
      String name = type + "/" + alias;
      if (json) {
        Format.printJson(out(), json(update));
        return update.result() == AliasUpdate.Result.EXPECTATION_MISMATCH ? ExitCodes.CONFLICT : ExitCodes.OK;
      }
      switch (update.result()) {
        case MOVED, REMOVED -> info(done + " (entry " + update.head().orElseThrow().seq() + "; history: ama log " + type
            + " --alias " + alias + ")");
        case ALREADY_THERE -> info(name + " already " + held(update) + "; nothing was written");
        case EXPECTATION_MISMATCH -> {
          String retry = update.holds().map(v -> "--expect " + v).orElse("--expect none");
          throw new ConflictException("alias " + name + " " + held(update) + ", not "
              + (expect.equals("none") ? "at nothing as --expect none requires" : "at " + update.expected()
                  + " as --expect " + expect + " requires")
              + "; nothing was written. Someone moved it meanwhile: check with ama log " + type + " --alias " + alias
              + ", then retry with " + retry);
        }
        default -> throw new IllegalStateException(update.result().toString());
      }
      return ExitCodes.OK;
    }

    private static String held(AliasUpdate update) {
      if (update.head().isEmpty()) {
        return "was never set";
      }
      AliasEntry head = update.head().get();
      String how = " (entry " + head.seq() + ", by " + head.by() + " at " + Format.time(head.at()) + ")";
      return head.removed() ? "is removed" + how : "points at " + head.version() + how;
    }

    private static ObjectNode json(AliasUpdate update) {
      ObjectNode node = Format.object();
      node.put("result", update.result().name());
      node.put("type", update.type());
      node.put("alias", update.alias());
      node.put("version", update.holds().map(Digest::toString).orElse(null));
      node.put("expected", update.expected().toString());
      if (update.head().isPresent()) {
        node.set("entry", Views.entry(update.head().get()));
      } else {
        node.putNull("entry");
      }
      return node;
    }
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Point an alias at a version already stored: promote or roll back.",
        "",
        "SELECTOR is another alias (its current version), alias@N (the N-th entry of an alias's log, also of a"
            + " removed alias), sha256:<hex> or a unique digest prefix of at least 8 hex digits. Nothing is uploaded:"
            + " the alias gets that very version, with its id, refs and labels. If the alias already points at it,"
            + " nothing is written and the exit code is 0. A removed alias set again continues its log.",
        ""
      },
      footer = {
        "%nJSON: {result: MOVED|ALREADY_THERE|EXPECTATION_MISMATCH, type, alias, version (where the alias points"
            + " now), expected (any, unset or a digest), entry: {type, alias, seq, version, removed, by, at, previous}}.",
        "%nExit codes: 0 moved or already there, 3 SELECTOR or --expect names nothing, 5 the alias did not point"
            + " where --expect said.",
        "%nExamples:",
        "  ama alias set rnn_models prod staging",
        "  ama alias set rnn_models prod prod@1",
        "  ama alias set rnn_models prod staging --expect prod@3",
        "  ama alias set rnn_models prod sha256:3f2a9c1b --expect none"
      })
  static final class Set extends Update {
    @Parameters(index = "2", paramLabel = "SELECTOR", description = "The version: alias, alias@N, sha256:<hex> or a unique digest prefix.")
    String selector;

    @Override
    public Integer call() {
      Optional<SigningKey> signer = signer();
      try (AssetClient client = openClient()) {
        AliasUpdate update = signer.isPresent()
            ? client.setAlias(type, alias, client.version(type, selector), expectation(client), signer.get())
            : client.setAlias(type, alias, selector, expectation(client));
        return report(update, "moved " + type + "/" + alias + " to " + update.holds().map(Digest::toString).orElse("")
            + update.head().flatMap(AliasEntry::previous).map(p -> " from " + p).orElse(""));
      }
    }
  }

  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = {
        "Remove an alias, keeping its history.",
        "",
        "Appends a removal to the alias's log: resolving the alias then fails (exit 3) saying who removed it and"
            + " when, 'ama ls TYPE' no longer lists it (--all does), 'ama log' still shows every entry, and alias@N"
            + " still names its old versions. Setting it again ('ama alias set', or an upload) continues the same"
            + " log. No version is deleted. Removing an alias already removed writes nothing (exit 0), unless --sign"
            + " signs a removal its head lacks. A client whose trust policy requires signed moves of the alias takes"
            + " an unsigned removal for untrusted (exit 6), not for a removal: see docs/trust.md.",
        ""
      },
      footer = {
        "%nJSON: as for 'ama alias set', with result REMOVED|ALREADY_THERE|EXPECTATION_MISMATCH.",
        "%nExit codes: 0 removed or already removed, 3 no such alias, 5 the alias did not point where --expect said.",
        "%nExamples:",
        "  ama alias rm rnn_models canary",
        "  ama alias rm rnn_models canary --expect canary@2",
        "  ama alias rm rnn_models prod --sign keys/release.key.pem"
      })
  static final class Remove extends Update {
    @Override
    public Integer call() {
      Optional<SigningKey> signer = signer();
      try (AssetClient client = openClient()) {
        AliasUpdate update = signer.isPresent()
            ? client.removeAlias(type, alias, expectation(client), signer.get())
            : client.removeAlias(type, alias, expectation(client));
        return report(update, "removed " + type + "/" + alias + ", which pointed at "
            + update.head().flatMap(AliasEntry::previous).map(Digest::toString).orElse("?")
            + signer.map(k -> ", signed by " + k.name()).orElse(""));
      }
    }
  }
}
