package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.IntegrityException;
import dev.ama.Names;
import dev.ama.NotFoundException;
import dev.ama.VersionFilter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = {
      "List asset types, the aliases of a type, or its versions.",
      "",
      "Without TYPE, the asset types in the store. With TYPE, its aliases with the version each points at,"
          + " who moved it there and when (removed aliases only with --all). With TYPE and --versions (implied by --by, --label, --since,"
          + " --until and --limit), its versions, newest first: id, upload time, uploader, the aliases pointing at it"
          + " now, and labels.",
      ""
    },
    footer = {
      "%nTimes: an ISO date such as 2026-11-01 (--since: from its first moment, --until: through its last,"
          + " in UTC) or an instant such as 2026-11-01T10:00:00Z or 2026-11-01T11:00:00+01:00.",
      "%nJSON: 'ls --json' is {schema, types: [name]}; 'ls TYPE --json' {schema, aliases: [{type, alias, seq,"
          + " version, removed, by, at, previous}]}; 'ls TYPE --versions --json' {schema, versions: [{type, version,"
          + " by, at, aliases, labels, description, size, files}]}, newest first.",
      "%nExamples:",
      "  ama ls",
      "  ama ls sequence_models",
      "  ama ls sequence_models --all",
      "  ama ls sequence_models --versions",
      "  ama ls sequence_models --by alice --label stage=prod --since 2026-11-01",
      "  ama ls sequence_models --until 2026-11-20T12:00:00Z --limit 5 --json"
    })
final class LsCommand extends AmaCommand {
  /** How many versions are listed when --limit is not given. */
  static final int DEFAULT_LIMIT = 50;

  static final String TIME_FORMS =
      "give an ISO date such as 2026-11-01 or an instant such as 2026-11-01T10:00:00Z (or with an offset:"
          + " 2026-11-01T11:00:00+01:00)";

  @Parameters(index = "0", arity = "0..1", paramLabel = "TYPE", description = "An asset type.")
  Optional<String> type = Optional.empty();

  @Option(names = "--versions", description = "List the versions of TYPE, newest first, instead of its aliases.")
  boolean versions;

  @Option(names = "--by", paramLabel = "USER", description = "Only versions uploaded by USER (implies --versions).")
  Optional<String> by = Optional.empty();

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "Only versions with this label; repeatable, all must match (implies --versions).")
  List<String> labels = new ArrayList<>();

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description = "Only versions uploaded at or after TIME: a date (2026-11-01) or an instant (implies --versions).")
  Optional<String> since = Optional.empty();

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description = "Only versions uploaded before TIME; a date means through the end of that day (implies --versions).")
  Optional<String> until = Optional.empty();

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "List at most the N newest versions (default: " + DEFAULT_LIMIT + "; implies --versions).")
  Optional<Integer> limit = Optional.empty();

  @Option(names = "--all", description = "With TYPE: list removed aliases too, each with who removed it and when.")
  boolean all;

  @Option(names = "--json", description = "Print JSON for scripts.")
  boolean json;

  @Override
  public Integer call() {
    type.ifPresent(Names::checkType);
    boolean listVersions = versions || by.isPresent() || !labels.isEmpty() || since.isPresent() || until.isPresent()
        || limit.isPresent();
    if (listVersions && type.isEmpty()) {
      throw usage("listing versions needs a TYPE, such as: ama ls sequence_models --versions");
    }
    if (all && (listVersions || type.isEmpty())) {
      throw usage("--all lists the removed aliases of a TYPE beside its live ones, such as: ama ls sequence_models --all;"
          + " it does not apply to listing types or versions");
    }
    VersionFilter filter = listVersions ? filter() : VersionFilter.all();
    try (AssetClient client = openClient()) {
      if (type.isEmpty()) {
        listTypes(client.types());
        return ExitCodes.OK;
      }
      List<String> types = client.types();
      if (!types.contains(type.get())) {
        throw NotFoundException.suggesting(type.get(), types, hint -> "no asset type '" + type.get() + "' in "
            + client.location() + (types.isEmpty() ? "; the store has no assets yet" : "; list types with: ama ls" + hint));
      }
      if (listVersions) {
        return listVersions(client, filter);
      }
      List<AliasEntry> aliases = new ArrayList<>(client.aliases(type.get()));
      if (all) {
        aliases.addAll(client.removedAliases(type.get()));
        aliases.sort(Comparator.comparing(AliasEntry::alias));
      }
      listAliases(aliases);
    }
    return ExitCodes.OK;
  }

  /** The filter the options describe, checked before the store is opened. */
  VersionFilter filter() {
    VersionFilter filter = VersionFilter.all();
    if (by.isPresent()) {
      if (by.get().isBlank()) {
        throw usage("--by needs a user name, such as --by alice");
      }
      filter = filter.createdBy(by.get());
    }
    for (String label : labels) {
      int eq = label.indexOf('=');
      if (eq <= 0) {
        throw usage("invalid --label '" + label + "': write it as KEY=VALUE, such as --label stage=prod");
      }
      filter = filter.label(label.substring(0, eq).strip(), label.substring(eq + 1));
    }
    Optional<Instant> from = since.map(s -> time("--since", s, false));
    Optional<Instant> to = until.map(s -> time("--until", s, true));
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw usage("--since " + since.get() + " is not before --until " + until.get()
          + ", so no version can match; give an earlier --since or a later --until");
    }
    if (from.isPresent()) {
      filter = filter.since(from.get());
    }
    if (to.isPresent()) {
      filter = filter.until(to.get());
    }
    int max = limit.orElse(DEFAULT_LIMIT);
    if (max < 1) {
      throw usage("invalid --limit " + max + ": give a number of at least 1, such as --limit 20");
    }
    return filter.limit(max);
  }

  /**
   * An instant, or a date in UTC: its first moment for --since, the first moment of the next day for
   * --until, which is exclusive, so that {@code --since D --until D} means the day D.
   */
  Instant time(String option, String text, boolean endOfDay) {
    String t = text.strip();
    try {
      if (t.length() == 10) {
        LocalDate day = LocalDate.parse(t);
        return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      throw usage("invalid " + option + " '" + text + "': " + TIME_FORMS);
    }
  }

  private void listTypes(List<String> types) {
    if (json) {
      ArrayNode array = Format.array();
      types.forEach(array::add);
      Format.printJsonList(out(), "types", array);
    } else {
      types.forEach(t -> out().println(TerminalText.safe(t)));
    }
  }

  private void listAliases(List<AliasEntry> aliases) {
    if (json) {
      ArrayNode array = Format.array();
      aliases.forEach(e -> array.add(Views.entry(e)));
      Format.printJsonList(out(), "aliases", array);
      return;
    }
    Format.Table table = new Format.Table().row("ALIAS", "VERSION", "SEQ", "BY", "AT");
    for (AliasEntry e : aliases) {
      table.row(e.alias(), Views.target(e), String.valueOf(e.seq()), e.by(),
          Format.time(e.at()));
    }
    table.print(out(), "");
  }

  /**
   * Lists the versions; a version whose manifest is missing or damaged is left out and reported on
   * stderr, and the exit code says the store is damaged, so the others are still listed.
   */
  private int listVersions(AssetClient client, VersionFilter filter) {
    // One more than asked says whether the list was cut short, without a second query.
    int asked = filter.limit();
    List<IntegrityException> damaged = new ArrayList<>();
    List<AssetVersion> found = client.versions(type.get(),
        asked == Integer.MAX_VALUE ? filter : filter.limit(asked + 1), damaged::add);
    damaged.forEach(e -> cli().err().println(TerminalText.safe("ama: " + e.getMessage())));
    int code = damaged.isEmpty() ? ExitCodes.OK : ExitCodes.INTEGRITY;
    boolean more = found.size() > asked;
    List<AssetVersion> shown = more ? found.subList(0, asked) : found;
    if (json) {
      ArrayNode array = Format.array();
      for (AssetVersion v : shown) {
        ObjectNode node = array.addObject();
        node.put("type", v.type());
        node.put("version", v.version().toString());
        node.put("by", v.createdBy());
        node.put("at", Format.time(v.createdAt()));
        ArrayNode aliases = node.putArray("aliases");
        client.aliasesOf(v).forEach(aliases::add);
        ObjectNode labelNode = node.putObject("labels");
        new TreeMap<>(v.labels()).forEach(labelNode::put);
        node.put("description", v.description().orElse(null));
        node.put("size", v.size());
        node.put("files", v.files().size());
      }
      Format.printJsonList(out(), "versions", array);
      return code;
    }
    if (shown.isEmpty()) {
      out().println(TerminalText.safe("no version of " + type.get() + " " + describe(filter)));
      return code;
    }
    Format.Table table = new Format.Table().row("VERSION", "CREATED", "BY", "ALIASES", "LABELS");
    for (AssetVersion v : shown) {
      List<String> aliases = client.aliasesOf(v);
      table.row(Views.shortId(v.version()), Format.time(v.createdAt()), v.createdBy(),
          aliases.isEmpty() ? "-" : String.join(",", aliases), labels(v.labels()));
    }
    table.print(out(), "");
    if (more) {
      out().println("(the newest " + asked + "; more match: --limit N lists more)");
    }
    return code;
  }

  private static String labels(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return "-";
    }
    return String.join(",", new TreeMap<>(labels).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
  }

  private static String describe(VersionFilter filter) {
    List<String> parts = new ArrayList<>();
    filter.createdBy().ifPresent(u -> parts.add("by " + u));
    new TreeMap<>(filter.labels()).forEach((k, v) -> parts.add("label " + k + "=" + v));
    filter.since().ifPresent(t -> parts.add("since " + t));
    filter.until().ifPresent(t -> parts.add("until " + t));
    return parts.isEmpty() ? "exists" : "matches: " + String.join(", ", parts);
  }
}
