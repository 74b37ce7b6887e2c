package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.CacheAdmin;
import dev.ama.Digest;
import dev.ama.InvalidInputException;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "cache",
    mixinStandardHelpOptions = true,
    subcommands = {
      CacheCommand.Ls.class, CacheCommand.Du.class, CacheCommand.Prune.class, CacheCommand.Pin.class,
      CacheCommand.Unpin.class, CacheCommand.Verify.class
    },
    synopsisSubcommandLabel = "COMMAND",
    description = {
      "Look after the local cache (AMA_CACHE, else ~/.cache/ama) that loads are served from.",
      "",
      "The cache may be shared by several processes on this machine. With a cap (--cache-max, AMA_CACHE_MAX or"
          + " 'cache_max:' in ~/.ama/config.yml) a write that takes it over the cap evicts the least recently used"
          + " versions, in whichever process writes. A version some process is reading (held) or pinned here is never"
          + " evicted, so the cache may stay above the cap while those alone exceed it. See docs/serving.md.",
      ""
    },
    commandListHeading = "%nCommands:%n",
    footer = {
      "%nExamples:",
      "  ama cache ls",
      "  ama cache du --json",
      "  ama cache prune --max 10GiB",
      "  ama cache pin rnn_models prod",
      "  ama cache unpin rnn_models 3f2a9c1b",
      "  ama cache verify"
    })
final class CacheCommand extends AmaCommand {
  @Override
  public Integer call() {
    return missingSubcommand();
  }

  /** What every cache subcommand shares: --json. */
  abstract static class Sub extends AmaCommand {
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    /** The local cache is looked after without the store; pin asks the store only for what the cache lacks. */
    @Override
    boolean readsStore() {
      return false;
    }

    @Override
    public Integer call() {
      try (AssetClient client = openClient()) {
        return run(client.cache());
      }
    }

    abstract int run(CacheAdmin cache);

    static String cap(CacheAdmin cache) {
      return cache.maxBytes().isPresent() ? "cap " + Format.size(cache.maxBytes().getAsLong()) : "no cap";
    }
  }

  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "List the versions in the local cache, least recently used first (evicted first).",
      footer = {
        "%nColumns: version, type, size on disk, files held of the version's files, last use, pinned or held"
            + " (by some process now), the aliases this machine loaded it by.",
        "JSON: {schema, versions: [{version, type, aliases: [type/alias], bytes, files, complete, lastUsed, pinned,"
            + " held}]}.",
        "%nExample:",
        "  ama cache ls --json"
      })
  static final class Ls extends Sub {
    @Override
    int run(CacheAdmin cache) {
      List<CacheAdmin.Entry> entries = cache.entries();
      if (json) {
        ArrayNode a = Format.array();
        entries.forEach(e -> a.add(entry(e)));
        Format.printJsonList(out(), "versions", a);
        return ExitCodes.OK;
      }
      if (entries.isEmpty()) {
        info("the local cache " + cache.root() + " holds no versions");
        return ExitCodes.OK;
      }
      for (CacheAdmin.Entry e : entries) {
        String flags = (e.pinned() ? "pinned " : "") + (e.held() ? "held" : "");
        out().println(TerminalText.safe(String.format(java.util.Locale.ROOT, "%-12s  %-20s  %10s  %5s  %-20s  %-11s  %s",
            e.version().shortHex(), e.type().orElse("?"), Format.size(e.bytes()),
            e.files() + (e.complete() ? "" : "+"), e.lastUsed().map(Format::time).orElse("-"), flags.strip(),
            String.join(", ", e.aliases()))));
      }
      return ExitCodes.OK;
    }

    static ObjectNode entry(CacheAdmin.Entry e) {
      ObjectNode n = Format.object();
      n.put("version", e.version().toString());
      n.put("type", e.type().orElse(null));
      ArrayNode aliases = n.putArray("aliases");
      e.aliases().forEach(aliases::add);
      n.put("bytes", e.bytes());
      n.put("files", e.files());
      n.put("complete", e.complete());
      n.put("lastUsed", e.lastUsed().map(Format::time).orElse(null));
      n.put("pinned", e.pinned());
      n.put("held", e.held());
      return n;
    }
  }

  @Command(
      name = "du",
      mixinStandardHelpOptions = true,
      description = "Show how much space the local cache takes, against its cap.",
      footer = {
        "%nJSON: {root, bytes, maxBytes, versions, keptBytes, looseBytes, evictableBytes, overCap}; keptBytes are"
            + " held and pinned versions, which no prune evicts; looseBytes are blobs no cached version uses, evicted"
            + " first; evictableBytes is what a prune could free.",
        "%nExample:",
        "  ama cache du --json"
      })
  static final class Du extends Sub {
    @Override
    int run(CacheAdmin cache) {
      CacheAdmin.Usage u = cache.usage();
      if (json) {
        ObjectNode n = Format.object();
        n.put("root", cache.root().toString());
        n.put("bytes", u.bytes());
        if (u.maxBytes().isPresent()) {
          n.put("maxBytes", u.maxBytes().getAsLong());
        } else {
          n.putNull("maxBytes");
        }
        n.put("versions", u.versions());
        n.put("keptBytes", u.keptBytes());
        n.put("looseBytes", u.looseBytes());
        n.put("evictableBytes", u.evictableBytes());
        n.put("overCap", u.overCap());
        Format.printJson(out(), n);
        return ExitCodes.OK;
      }
      out().println(TerminalText.safe(Format.size(u.bytes()) + " in " + u.versions() + " versions in " + cache.root()
          + " (" + cap(cache) + ")"));
      out().println("  held or pinned: " + Format.size(u.keptBytes()) + " (never evicted)");
      out().println("  blobs no cached version uses: " + Format.size(u.looseBytes()) + " (evicted first)");
      if (u.overCap()) {
        long cap = u.maxBytes().getAsLong();
        out().println(u.evictableBytes() == 0
            ? "  above the cap, and nothing is left to evict: held and pinned versions, manifests and transfers in"
                + " progress stay"
            : "  above the cap; the next write prunes it, or run: ama cache prune (" + Format.size(u.evictableBytes())
                + " can go)");
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "prune",
      mixinStandardHelpOptions = true,
      description = {
        "Evict until the local cache fits a size: blobs no cached version uses first, then versions least recently"
            + " used first. Held and pinned versions stay. Without --max, prunes to the configured cap."
      },
      footer = {
        "%nJSON: {maxBytes, bytesBefore, bytesAfter, evicted: [version], looseBlobsRemoved, kept: [{version, reason,"
            + " bytes}]}.",
        "%nExamples:",
        "  ama cache prune",
        "  # evict everything not held or pinned",
        "  ama cache prune --max 0"
      })
  static final class Prune extends Sub {
    @Option(names = "--max", paramLabel = "SIZE", description = "Prune to this size, such as 10GiB or 0, instead of"
        + " the configured cap.")
    String max;

    @Override
    int run(CacheAdmin cache) {
      CacheAdmin.PruneReport r;
      if (max != null) {
        Optional<Long> bytes = Settings.cacheMax(max, "--max");
        if (bytes.isEmpty()) {
          throw new InvalidInputException("--max none prunes nothing; give a size such as --max 10GiB, or 0 to evict"
              + " everything not held or pinned");
        }
        r = cache.prune(bytes.get());
      } else {
        r = cache.prune();
      }
      if (json) {
        ObjectNode n = Format.object();
        n.put("maxBytes", r.maxBytes());
        n.put("bytesBefore", r.bytesBefore());
        n.put("bytesAfter", r.bytesAfter());
        ArrayNode evicted = n.putArray("evicted");
        r.evicted().forEach(d -> evicted.add(d.toString()));
        n.put("looseBlobsRemoved", r.looseBlobsRemoved());
        ArrayNode kept = n.putArray("kept");
        r.kept().forEach(k -> kept.addObject().put("version", k.version().toString())
            .put("reason", k.reason().name().toLowerCase(java.util.Locale.ROOT)).put("bytes", k.bytes()));
        Format.printJson(out(), n);
        return ExitCodes.OK;
      }
      info("pruned " + cache.root() + " to " + Format.size(r.maxBytes()) + ": " + Format.size(r.bytesBefore()) + " -> "
          + Format.size(r.bytesAfter()) + ", evicted " + r.evicted().size() + " versions and " + r.looseBlobsRemoved()
          + " blobs no cached version used");
      for (CacheAdmin.Kept k : r.kept()) {
        info("  kept " + k.version().shortHex() + " (" + Format.size(k.bytes()) + "): "
            + (k.reason() == CacheAdmin.Kept.Reason.PINNED ? "pinned (ama cache unpin to release it)" : "held by a process"
                + " reading it"));
      }
      if (r.bytesAfter() > r.maxBytes()) {
        info("still above " + Format.size(r.maxBytes()) + ": held and pinned versions are never evicted");
      }
      return ExitCodes.OK;
    }
  }

  /** pin and unpin: TYPE SELECTOR. */
  abstract static class Selected extends Sub {
    @Parameters(index = "0", paramLabel = "TYPE", description = "The asset type.")
    String type;

    @Parameters(index = "1", paramLabel = "SELECTOR", description = "alias, alias@N, sha256:<hex> or a unique prefix.")
    String selector;
  }

  @Command(
      name = "pin",
      mixinStandardHelpOptions = true,
      description = "Pin a version so that no prune evicts it, in any process sharing the cache, until it is unpinned;"
          + " the pin survives restarts. The version is fetched into the cache (verified) if it is not there, so it"
          + " can be loaded offline.",
      footer = {
        "%nJSON: {version, type, pinned: true}.",
        "%nExamples:",
        "  ama cache pin rnn_models prod",
        "  ama cache pin rnn_models prod@3"
      })
  static final class Pin extends Selected {
    @Override
    int run(CacheAdmin cache) {
      AssetVersion v = cache.pin(type, selector);
      if (json) {
        Format.printJson(out(), Format.object().put("version", v.version().toString()).put("type", v.type())
            .put("pinned", true));
        return ExitCodes.OK;
      }
      info("pinned " + v + " in " + cache.root() + "; no prune evicts it until: ama cache unpin " + type + " "
          + v.version().shortHex());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "unpin",
      mixinStandardHelpOptions = true,
      description = "Unpin a version; a later prune may evict it. A digest or prefix of a pinned version works offline.",
      footer = {
        "%nJSON: {version, pinned: false, wasPinned}.",
        "%nExample:",
        "  ama cache unpin rnn_models 3f2a9c1b"
      })
  static final class Unpin extends Selected {
    @Override
    int run(CacheAdmin cache) {
      Optional<Digest> was = cache.unpin(type, selector);
      if (json) {
        ObjectNode n = Format.object();
        n.put("version", was.map(Digest::toString).orElse(null));
        n.put("pinned", false);
        n.put("wasPinned", was.isPresent());
        Format.printJson(out(), n);
        return ExitCodes.OK;
      }
      info(was.map(d -> "unpinned " + d.shortHex() + " (" + type + "); a later prune may evict it")
          .orElse(type + " " + selector + " was not pinned; nothing changed"));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = "Re-hash every blob and every file of every version folder in the local cache, and remove what is"
          + " damaged; the next load fetches it again from the store. Reads every byte of the cache. Exit 6 if"
          + " anything was damaged.",
      footer = {
        "%nJSON: {blobs, files, damaged: [{path, version, problem}]}.",
        "%nExample:",
        "  ama cache verify --json"
      })
  static final class Verify extends Sub {
    @Override
    int run(CacheAdmin cache) {
      CacheAdmin.CheckReport r = cache.verify();
      if (json) {
        ObjectNode n = Format.object();
        n.put("blobs", r.blobs());
        n.put("files", r.files());
        ArrayNode damaged = n.putArray("damaged");
        r.damaged().forEach(d -> damaged.addObject().put("path", d.path().toString())
            .put("version", d.version().map(Digest::toString).orElse(null)).put("problem", d.problem()));
        Format.printJson(out(), n);
      } else {
        for (CacheAdmin.Damage d : r.damaged()) {
          out().println(TerminalText.safe("damaged, removed: " + d.path() + ": " + d.problem()));
        }
        info("checked " + r.blobs() + " blobs and " + r.files() + " files of version folders in " + cache.root() + ": "
            + (r.ok() ? "all intact" : r.damaged().size() + " damaged and removed; the next load fetches them again"));
      }
      return r.ok() ? ExitCodes.OK : ExitCodes.INTEGRITY;
    }
  }
}
