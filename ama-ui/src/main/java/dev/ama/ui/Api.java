package dev.ama.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AliasEntry;
import dev.ama.AssetClient;
import dev.ama.AssetDiff;
import dev.ama.AssetFile;
import dev.ama.AssetVersion;
import dev.ama.Digest;
import dev.ama.FileMatch;
import dev.ama.HistoryEntry;
import dev.ama.InvalidInputException;
import dev.ama.LineageGraph;
import dev.ama.Names;
import dev.ama.Ref;
import dev.ama.VersionFilter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The dashboard's JSON answers, built on the client's public query API only (never on store keys),
 * so the server and the static export give the same answer to the same question.
 */
final class Api {
  /** Aliases per page when the page does not say. */
  static final int DEFAULT_ALIASES = 100;
  /** Versions per page when the page does not say. */
  static final int DEFAULT_PAGE = 50;
  /** The largest page a request may ask for: one request stays cheap on any store. */
  static final int MAX_PAGE = 500;
  /** The deepest lineage a request may ask for. */
  static final int MAX_DEPTH = 50;

  static final ObjectMapper JSON = new ObjectMapper();

  private final AssetClient client;

  Api(AssetClient client) {
    this.client = client;
  }

  /** The store's location and types, sorted: the first thing the page asks. */
  ObjectNode types() {
    ObjectNode out = JSON.createObjectNode();
    out.put("store", client.location());
    ArrayNode types = out.putArray("types");
    client.types().forEach(types::add);
    return out;
  }

  /**
   * One page of a type's aliases, by name, those whose name contains {@code filter} (ignoring
   * case): where each points, who moved it last and when; removed ones apart. Only the page's
   * aliases are read, so a type with many aliases answers as fast as one with a page of them.
   */
  ObjectNode aliases(String type, String filter, int limit, Optional<String> after) {
    Names.checkType(type);
    checkLimit(limit, MAX_PAGE);
    String needle = filter.toLowerCase(Locale.ROOT);
    List<String> names = client.aliasNames(type).stream()
        .filter(a -> a.toLowerCase(Locale.ROOT).contains(needle)).toList();
    int from = 0;
    if (after.isPresent()) {
      int at = Collections.binarySearch(names, after.get());
      from = at >= 0 ? at + 1 : -at - 1;
    }
    List<String> page = names.subList(from, Math.min(names.size(), from + limit));
    ObjectNode out = JSON.createObjectNode();
    out.put("type", type).put("total", names.size());
    ArrayNode live = out.putArray("aliases");
    ArrayNode removed = out.putArray("removed");
    for (String name : page) {
      client.alias(type, name).ifPresent(e -> (e.removed() ? removed : live).add(entry(e)));
    }
    if (from + page.size() < names.size()) {
      out.put("next", page.get(page.size() - 1));
    } else {
      out.putNull("next");
    }
    return out;
  }

  /** Every alias of a type, pointing and removed, for the static export. */
  ObjectNode allAliases(String type) {
    Names.checkType(type);
    ObjectNode out = JSON.createObjectNode();
    out.put("type", type);
    ArrayNode live = out.putArray("aliases");
    client.aliases(type).forEach(e -> live.add(entry(e)));
    ArrayNode removed = out.putArray("removed");
    client.removedAliases(type).forEach(e -> removed.add(entry(e)));
    out.put("total", live.size() + removed.size()).putNull("next");
    return out;
  }

  /**
   * One page of a type's versions, newest first. The cursor is the upload time of the last
   * version of the previous page; versions uploaded at that very instant all stay on one page, so
   * paging by time neither skips nor repeats one.
   */
  ObjectNode versions(String type, int limit, Optional<String> cursor) {
    Names.checkType(type);
    checkLimit(limit, MAX_PAGE);
    VersionFilter filter = VersionFilter.all().limit(limit + 1);
    if (cursor.isPresent()) {
      filter = filter.until(instant("cursor", cursor.get()));
    }
    List<AssetVersion> found = client.versions(type, filter);
    Optional<Instant> next = Optional.empty();
    if (found.size() > limit) {
      Instant last = found.get(limit - 1).createdAt();
      next = Optional.of(last);
      if (found.get(limit).createdAt().equals(last)) {
        // Versions at the last instant straddle the page end: they all go to the next page, which
        // asks for those before the instant just after it ("until" is exclusive).
        found = found.subList(0, limit).stream().filter(v -> v.createdAt().isAfter(last)).toList();
        if (found.isEmpty()) {
          throw new InvalidInputException("more than " + limit + " versions of " + type + " share the upload time "
              + last + "; ask for a larger page (limit up to " + MAX_PAGE + ")");
        }
        next = Optional.of(last.plusNanos(1));
      } else {
        found = found.subList(0, limit);
      }
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("type", type);
    ArrayNode versions = out.putArray("versions");
    found.forEach(v -> versions.add(summary(v)));
    next.ifPresentOrElse(n -> out.put("next", n.toString()), () -> out.putNull("next"));
    return out;
  }

  /** One version in full: files, labels, description, who and when, refs, who refs it, its aliases. */
  ObjectNode version(String id) {
    AssetVersion v = client.versionByDigest(id);
    ObjectNode out = summary(v);
    v.description().ifPresent(d -> out.put("description", d));
    ObjectNode labels = out.putObject("labels");
    v.labels().forEach(labels::put);
    ArrayNode files = out.putArray("files");
    for (AssetFile f : v.files()) {
      files.addObject().put("path", f.path()).put("size", f.size()).put("digest", f.digest().toString());
    }
    ArrayNode refs = out.putArray("refs");
    for (Ref r : v.refs()) {
      ObjectNode ref = refs.addObject().put("type", r.type()).put("version", r.version().toString());
      r.alias().ifPresent(a -> ref.put("alias", a));
    }
    ArrayNode refBy = out.putArray("referencedBy");
    for (LineageGraph.Node n : client.lineage(v, LineageGraph.Direction.DOWNSTREAM, 1).nodes()) {
      if (n.depth() == 1) {
        refBy.add(summary(n.version(), n.aliases()));
      }
    }
    return out;
  }

  /**
   * Every move of an alias, oldest first, each named for what it did: the first {@code set}, a
   * {@code promotion} to a version the alias never held, a {@code rollback} to one it held before,
   * a {@code removal}.
   */
  ObjectNode history(String type, String alias) {
    List<HistoryEntry> entries = client.historyStatus(type, alias);
    ObjectNode out = JSON.createObjectNode();
    out.put("type", type).put("alias", alias);
    ArrayNode moves = out.putArray("entries");
    Set<Digest> held = new HashSet<>();
    for (HistoryEntry h : entries) {
      AliasEntry e = h.entry();
      ObjectNode move = entry(e);
      String kind;
      if (e.removed()) {
        kind = "removal";
      } else if (held.isEmpty()) {
        kind = "set";
      } else {
        kind = held.contains(e.version()) ? "rollback" : "promotion";
      }
      if (!e.removed()) {
        held.add(e.version());
      }
      move.put("kind", kind).put("collected", h.collected());
      moves.add(move);
    }
    return out;
  }

  /** The lineage around a version, upstream, downstream or both, to a depth the page chooses. */
  ObjectNode lineage(String id, String direction, int depth) {
    if (depth < 1 || depth > MAX_DEPTH) {
      throw new InvalidInputException("depth must be between 1 and " + MAX_DEPTH + ", was " + depth + "; choose a depth in that range");
    }
    boolean up = switch (direction) {
      case "up", "both" -> true;
      case "down" -> false;
      default -> throw new InvalidInputException("direction must be up, down or both, was '" + direction + "'");
    };
    boolean down = !direction.equals("up");
    AssetVersion root = client.versionByDigest(id);
    Map<Digest, ObjectNode> nodes = new LinkedHashMap<>();
    Map<String, ObjectNode> edges = new LinkedHashMap<>();
    boolean truncated = false;
    for (LineageGraph.Direction d : LineageGraph.Direction.values()) {
      if (d == LineageGraph.Direction.UPSTREAM ? !up : !down) {
        continue;
      }
      LineageGraph graph = client.lineage(root, d, depth);
      truncated |= graph.truncated();
      int sign = d == LineageGraph.Direction.UPSTREAM ? -1 : 1;
      for (LineageGraph.Node n : graph.nodes()) {
        nodes.computeIfAbsent(n.version().version(), k -> summary(n.version(), n.aliases()).put("depth", sign * n.depth()));
      }
      for (LineageGraph.Edge e : graph.edges()) {
        ObjectNode edge = JSON.createObjectNode().put("from", e.from().toString()).put("to", e.to().toString());
        e.alias().ifPresent(a -> edge.put("alias", a));
        edges.putIfAbsent(e.from() + ">" + e.to(), edge);
      }
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("root", root.version().toString()).put("direction", direction).put("depth", depth).put("truncated", truncated);
    out.putArray("nodes").addAll(nodes.values());
    out.putArray("edges").addAll(edges.values());
    return out;
  }

  /** What changed from one version to another: files and, for YAML and JSON, parameters. */
  ObjectNode diff(String from, String to) {
    AssetDiff d = client.diff(client.versionByDigest(from), client.versionByDigest(to));
    ObjectNode out = JSON.createObjectNode();
    out.set("from", summary(d.from()));
    out.set("to", summary(d.to()));
    out.put("typesDiffer", d.typesDiffer()).put("unchanged", d.unchanged());
    ArrayNode added = out.putArray("added");
    d.added().forEach(f -> added.add(file(f)));
    ArrayNode removed = out.putArray("removed");
    d.removed().forEach(f -> removed.add(file(f)));
    ArrayNode renamed = out.putArray("renamed");
    d.renamed().forEach(r -> renamed.addObject().put("from", r.from()).put("to", r.to()).put("digest", r.digest().toString()));
    ArrayNode changed = out.putArray("changed");
    for (AssetDiff.FileChange c : d.changed()) {
      ObjectNode change = changed.addObject().put("path", c.path());
      change.set("before", file(c.before()));
      change.set("after", file(c.after()));
      c.note().ifPresent(n -> change.put("note", n));
      ArrayNode params = change.putArray("parameters");
      for (AssetDiff.ParameterChange p : c.parameters()) {
        ObjectNode param = params.addObject().put("key", p.key());
        p.before().ifPresentOrElse(b -> param.put("before", b), () -> param.putNull("before"));
        p.after().ifPresentOrElse(a -> param.put("after", a), () -> param.putNull("after"));
      }
    }
    return out;
  }

  /** The versions holding a file with these bytes, from the content index. */
  ObjectNode find(String digest) {
    Digest content;
    try {
      content = Digest.parse(digest);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("digest must be sha256:<64 hex digits> (the SHA-256 of the file's bytes), was '"
          + digest + "'");
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("digest", content.toString());
    ArrayNode matches = out.putArray("matches");
    for (FileMatch m : client.find(content)) {
      matches.add(match(m));
    }
    return out;
  }

  static ObjectNode match(FileMatch m) {
    ObjectNode match = summary(m.version(), m.aliases());
    match.put("path", m.path());
    return match;
  }

  private ObjectNode summary(AssetVersion v) {
    return summary(v, client.aliasesOf(v));
  }

  static ObjectNode summary(AssetVersion v, List<String> aliases) {
    ObjectNode out = JSON.createObjectNode();
    out.put("version", v.version().toString()).put("type", v.type()).put("createdBy", v.createdBy())
        .put("createdAt", v.createdAt().toString()).put("size", v.size()).put("files", v.files().size());
    v.alias().ifPresent(a -> out.put("uploadedAs", a));
    ArrayNode names = out.putArray("aliases");
    aliases.forEach(names::add);
    return out;
  }

  private static ObjectNode entry(AliasEntry e) {
    ObjectNode out = JSON.createObjectNode();
    out.put("type", e.type()).put("alias", e.alias()).put("seq", e.seq()).put("removed", e.removed())
        .put("by", e.by()).put("at", e.at().toString());
    // A removal names the version it removed; a move, the one it points at.
    out.put("version", e.target().or(e::previous).orElseThrow().toString());
    e.previous().ifPresent(p -> out.put("previous", p.toString()));
    out.put("signed", e.signature().isPresent());
    return out;
  }

  private static JsonNode file(AssetFile f) {
    return JSON.createObjectNode().put("path", f.path()).put("size", f.size()).put("digest", f.digest().toString());
  }

  private static void checkLimit(int limit, int max) {
    if (limit < 1 || limit > max) {
      throw new InvalidInputException("limit must be between 1 and " + max + ", was " + limit + "; ask for a page in that range");
    }
  }

  private static Instant instant(String name, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(name + " must be a time such as 2026-01-31T12:00:00Z, as the previous page's"
          + " 'next' gives it; was '" + text + "'");
    }
  }
}
