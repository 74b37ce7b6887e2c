package dev.ama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The questions asked of a store: versions by id or selector (through the local cache of
 * manifests), aliases and their history, listings, find by content and lineage, and the
 * not-found errors with near names when an answer is empty. Each answers through the alias logs
 * and index markers and reads only the manifests in its answer, never every manifest of the store.
 */
final class Queries {
  /** The shortest digest prefix accepted as a selector: shorter ones collide too often. */
  static final int MIN_PREFIX = 8;

  private final Store store;
  private final StoreIndex index;
  private final AliasLog aliases;
  private final LocalCache cache;

  Queries(Store store, StoreIndex index, AliasLog aliases, LocalCache cache) {
    this.store = store;
    this.index = index;
    this.aliases = aliases;
    this.cache = cache;
  }

  // ---- versions and aliases ----

  /**
   * A version the store itself names (through an alias, a ref or an index marker): from the local
   * cache of manifests, else read, verified and cached. The write order guarantees its manifest
   * exists, so a missing one is damage, not an unknown id.
   *
   * @throws IntegrityException if the manifest is missing or corrupt
   */
  AssetVersion manifest(Digest id) {
    return read(id).orElseThrow(() -> new IntegrityException("the manifest of version " + id + " is missing from "
        + store.location() + ", though the store names it (through an alias, a ref or its index): the store was damaged"
        + " (objects deleted by hand?). Upload the asset's files again to make a new, intact version, or restore the"
        + " manifest from a backup"));
  }

  /**
   * A version by an id a user gave.
   *
   * @throws NotFoundException if the store has no such version
   */
  AssetVersion byId(Digest id) {
    return read(id).orElseThrow(() -> new NotFoundException(
        "no version " + id + " in " + store.location() + "; check the id, or the store location"));
  }

  /** A stored version, or empty if the store has no manifest of this id. */
  Optional<AssetVersion> ifStored(Digest id) {
    return read(id);
  }

  private Optional<AssetVersion> read(Digest id) {
    Optional<AssetVersion> cached = cache.manifest(id);
    if (cached.isPresent()) {
      return cached;
    }
    return store.readManifestBytes(id).map(bytes -> {
      AssetVersion v = Manifests.read(id, bytes, store.location());
      cache.saveManifest(id, bytes);
      return v;
    });
  }

  /**
   * A version object as this store holds it: one check, so a version from another client's store
   * is refused by name rather than failing later on its first missing blob.
   */
  AssetVersion requireStored(AssetVersion v) {
    if (!store.hasManifest(v.version())) {
      throw new NotFoundException("no version " + v.version() + " (" + v.type() + ") in " + store.location()
          + "; was it read from another store? Download it with a client of that store");
    }
    return v;
  }

  /** The head entry of an alias (a removal if it was removed), or empty if it was never set. */
  Optional<AliasEntry> head(String type, String alias) {
    return aliases.head(type, alias);
  }

  /**
   * The head entry of an alias that points at a version now.
   *
   * @throws AliasRemovedException if its log ends with a removal
   * @throws NotFoundException with near names if it was never set
   */
  AliasEntry require(String type, String alias) {
    AliasEntry head = aliases.head(type, alias).orElseThrow(() -> notFound(type, alias));
    if (head.removed()) {
      throw removed(head);
    }
    return head;
  }

  /** Why a removed alias resolves to nothing: who removed it, when, and how to set it again. */
  AliasRemovedException removed(AliasEntry removal) {
    String name = removal.type() + "/" + removal.alias();
    return new AliasRemovedException("alias " + name + " was removed by " + removal.by() + " at " + removal.at()
        + " (entry " + removal.seq() + " of its log; it pointed at " + removal.previous().orElseThrow() + ") in "
        + store.location() + ". Set it again with: ama alias set " + removal.type() + " " + removal.alias()
        + " SELECTOR (such as " + removal.alias() + "@" + (removal.seq() - 1) + "); its history: ama log "
        + removal.type() + " --alias " + removal.alias(), removal);
  }

  /** Every move of an alias, oldest first, or a not-found error if it was never set. */
  List<AliasEntry> history(String type, String alias) {
    List<AliasEntry> entries = aliases.history(type, alias);
    if (entries.isEmpty()) {
      throw notFound(type, alias);
    }
    return entries;
  }

  /** The history with each entry's state: stored, collected by gc, or missing (damage). */
  List<HistoryEntry> historyStatus(String type, String alias) {
    java.util.Map<Digest, HistoryEntry.State> states = new java.util.HashMap<>();
    List<HistoryEntry> out = new ArrayList<>();
    for (AliasEntry e : history(type, alias)) {
      // A removal names no version: there is nothing to be collected or missing.
      HistoryEntry.State state = e.target().map(t -> states.computeIfAbsent(t, v -> store.hasManifest(v)
          ? HistoryEntry.State.STORED
          : store.stat(StoreLayout.collected(v)).isPresent() ? HistoryEntry.State.COLLECTED : HistoryEntry.State.MISSING))
          .orElse(HistoryEntry.State.STORED);
      out.add(new HistoryEntry(e, state));
    }
    return out;
  }

  List<String> types() {
    return index.types();
  }

  /** The head entry of every alias of a type that points at a version now, sorted by alias. */
  List<AliasEntry> aliases(String type) {
    return heads(type, false);
  }

  /** The names of a type's aliases, pointing or removed, sorted. */
  List<String> aliasNames(String type) {
    return index.aliasNames(type);
  }

  /** The removal entry of every removed alias of a type, sorted by alias. */
  List<AliasEntry> removedAliases(String type) {
    return heads(type, true);
  }

  private List<AliasEntry> heads(String type, boolean removed) {
    List<AliasEntry> out = new ArrayList<>();
    for (String a : index.aliasNames(type)) {
      aliases.head(type, a).filter(h -> h.removed() == removed).ifPresent(out::add);
    }
    return out;
  }

  List<String> aliasesOf(AssetVersion version) {
    return aliases.pointingAt(version.type(), version.version());
  }

  List<String> typesWithAlias(String alias) {
    return types().stream().filter(t -> index.hasAlias(t, alias)).collect(Collectors.toList());
  }

  /** Why an alias was not found, with the names nearest to the ones asked for. */
  NotFoundException notFound(String type, String alias) {
    String location = store.location();
    // The format was checked once, maybe long ago: a store gone since (an unmounted share) is not
    // found as a whole, which load() answers from the cache, rather than missing this alias.
    store.recheck();
    if (!store.canList()) {
      return new NotFoundException("no alias " + type + "/" + alias + " in " + location);
    }
    List<String> types = types();
    if (!types.contains(type)) {
      return suggesting("types", type, types, hint -> "no asset type '" + type + "' in " + location + hint);
    }
    List<String> elsewhere = typesWithAlias(alias);
    String other = elsewhere.isEmpty() ? "" : "; an alias of that name exists for type " + String.join(", ", elsewhere);
    return suggesting("aliases", alias, index.aliasNames(type),
        hint -> "no alias '" + alias + "' for asset type '" + type + "' in " + location + hint + other);
  }

  /** A not-found error naming the names closest to the one not found, or else some existing ones. */
  private static NotFoundException suggesting(
      String what, String wanted, List<String> names, java.util.function.Function<String, String> message) {
    return NotFoundException.suggesting(wanted, names, near -> {
      if (names.isEmpty()) {
        return message.apply("; there are no " + what + " yet");
      }
      if (!near.isEmpty()) {
        return message.apply(near);
      }
      List<String> some = names.stream().limit(10).collect(Collectors.toList());
      return message.apply(". Existing " + what + ": " + String.join(", ", some) + (names.size() > some.size() ? ", ..." : ""));
    });
  }

  // ---- selectors ----

  /**
   * Resolves {@code alias}, {@code alias@N}, {@code alias@latest}, {@code sha256:<hex>}, a full
   * hex digest, or a unique prefix of at least {@value #MIN_PREFIX} hex digits. An existing alias
   * wins over a digest prefix spelled the same.
   */
  AssetVersion resolve(String type, String selector) {
    Names.checkType(type);
    Objects.requireNonNull(selector, "selector");
    int at = selector.lastIndexOf('@');
    if (at > 0) {
      String alias = Names.checkAlias(selector.substring(0, at));
      String which = selector.substring(at + 1);
      if (which.equals("latest")) {
        return manifest(require(type, alias).version());
      }
      long n;
      try {
        n = Long.parseLong(which);
      } catch (NumberFormatException e) {
        throw new InvalidInputException("invalid version selector '" + selector + "': after '@' give a history"
            + " position (1, 2, …) or 'latest', such as " + alias + "@1");
      }
      // Any head, a removal too: a removed alias's history still names versions, to roll back to.
      AliasEntry head = aliases.head(type, alias).orElseThrow(() -> notFound(type, alias));
      if (n < 1 || n > head.seq()) {
        throw new NotFoundException("alias " + type + "/" + alias + " has " + head.seq() + " history entr"
            + (head.seq() == 1 ? "y" : "ies") + ", so '" + selector + "' does not exist; use " + alias + "@1 to "
            + alias + "@" + head.seq() + " (see ama log)");
      }
      AliasEntry entry = n == head.seq() ? head : aliases.entry(type, alias, n);
      if (entry.removed()) {
        throw new NotFoundException("'" + selector + "' names no version: entry " + n + " of alias " + type + "/"
            + alias + " is its removal by " + entry.by() + " at " + entry.at() + ". The version it removed is "
            + alias + "@" + (n - 1) + " (see ama log " + type + " --alias " + alias + ")");
      }
      return manifest(entry.version());
    }
    String hex = selector.startsWith(Digest.SHA256 + ":") ? selector.substring(Digest.SHA256.length() + 1) : null;
    if (hex == null) {
      if (Names.isValidAlias(selector)) {
        Optional<AliasEntry> head = aliases.head(type, selector);
        if (head.isPresent()) {
          // A removed alias is refused by name, not taken for a digest prefix spelled the same.
          if (head.get().removed()) {
            throw removed(head.get());
          }
          return manifest(head.get().version());
        }
      }
      if (!Digest.isHex(selector) || selector.length() < MIN_PREFIX) {
        throw notFound(type, Names.checkAlias(selector));
      }
      hex = selector;
    }
    AssetVersion v = byId(byPrefix(hex, selector));
    if (!v.type().equals(type)) {
      throw new InvalidInputException("version " + v.version() + " is of type '" + v.type() + "', not '" + type
          + "'; use: " + v.type() + " " + selector);
    }
    return v;
  }

  /**
   * A version of any type by {@code sha256:<hex>}, a full hex digest, or a unique prefix of at
   * least {@value #MIN_PREFIX} hex digits: a digest names one version whatever its type.
   */
  AssetVersion byDigest(String selector) {
    Objects.requireNonNull(selector, "selector");
    String hex = selector.startsWith(Digest.SHA256 + ":") ? selector.substring(Digest.SHA256.length() + 1) : selector;
    return byId(byPrefix(hex, selector));
  }

  private Digest byPrefix(String hex, String selector) {
    if (!Digest.isHex(hex) || hex.length() < MIN_PREFIX || hex.length() > 64) {
      throw new InvalidInputException("invalid version selector '" + selector + "': a digest needs " + MIN_PREFIX
          + " to 64 hex digits, such as sha256:" + "0123456789ab");
    }
    String lower = hex.toLowerCase(java.util.Locale.ROOT);
    if (lower.length() == 64) {
      return Digest.sha256Hex(lower);
    }
    List<Digest> candidates = store.manifestsWithPrefix(lower);
    if (candidates.isEmpty()) {
      throw new NotFoundException("no version whose digest starts with " + lower + " in " + store.location());
    }
    if (candidates.size() > 1) {
      throw new InvalidInputException("digest prefix " + lower + " is ambiguous: it matches "
          + candidates.stream().limit(10).map(Digest::toString).collect(Collectors.joining(", "))
          + (candidates.size() > 10 ? ", …" : "") + ". Give more digits");
    }
    return candidates.get(0);
  }

  // ---- find by content ----

  /** Every version holding a file identical to a local file, whatever its name. */
  List<FileMatch> find(Path localFile) {
    if (!Files.isRegularFile(localFile)) {
      throw new InvalidInputException("file '" + localFile + "' does not exist or is not a regular file; give a file to look for");
    }
    try (InputStream in = Files.newInputStream(localFile)) {
      return find(HashingInputStream.sha256(in));
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + localFile + ": " + e.getMessage(), e);
    }
  }

  List<FileMatch> find(Digest content) {
    List<Digest> versions = index.holders(content);
    AliasIndex aliases = new AliasIndex();
    List<FileMatch> out = new ArrayList<>();
    for (Digest id : versions) {
      // A format 2 upload record is written before its manifest: one without is a crashed upload's.
      Optional<AssetVersion> found = store.packed() ? read(id) : Optional.of(manifest(id));
      if (found.isEmpty()) {
        continue;
      }
      AssetVersion v = found.get();
      for (AssetFile f : v.files()) {
        if (f.digest().equals(content)) {
          out.add(new FileMatch(v, f.path(), aliases.of(v)));
        }
      }
    }
    out.sort(Comparator.comparing((FileMatch m) -> m.version().createdAt()).reversed()
        .thenComparing(FileMatch::path));
    return out;
  }

  /** Aliases pointing at versions, through the alias-target index, each version looked up once. */
  final class AliasIndex {
    private final Map<Digest, List<String>> byVersion = new HashMap<>();

    List<String> of(AssetVersion v) {
      if (!store.canList()) {
        return List.of();
      }
      return byVersion.computeIfAbsent(v.version(), d -> aliasesOf(v));
    }
  }

  // ---- lineage ----

  LineageGraph lineage(AssetVersion root, LineageGraph.Direction direction, int maxDepth) {
    if (maxDepth < 0) {
      throw new InvalidInputException("depth must not be negative, was " + maxDepth);
    }
    AliasIndex aliases = new AliasIndex();
    Map<Digest, LineageGraph.Node> nodes = new LinkedHashMap<>();
    List<LineageGraph.Edge> edges = new ArrayList<>();
    nodes.put(root.version(), new LineageGraph.Node(root, aliases.of(root), 0));
    Deque<LineageGraph.Node> todo = new ArrayDeque<>();
    todo.add(nodes.get(root.version()));
    boolean truncated = false;
    while (!todo.isEmpty()) {
      LineageGraph.Node n = todo.poll();
      List<LineageGraph.Edge> next = direction == LineageGraph.Direction.UPSTREAM
          ? n.version().refs().stream().map(r -> new LineageGraph.Edge(n.version().version(), r.version(), r.alias())).toList()
          : downstreamEdges(n.version());
      if (!next.isEmpty() && n.depth() == maxDepth) {
        truncated = true;
        continue;
      }
      for (LineageGraph.Edge e : next) {
        edges.add(e);
        Digest other = direction == LineageGraph.Direction.UPSTREAM ? e.to() : e.from();
        if (!nodes.containsKey(other)) {
          AssetVersion v = manifest(other);
          LineageGraph.Node node = new LineageGraph.Node(v, aliases.of(v), n.depth() + 1);
          nodes.put(other, node);
          todo.add(node);
        }
      }
    }
    return new LineageGraph(root, direction, new ArrayList<>(nodes.values()), edges, truncated);
  }

  private List<LineageGraph.Edge> downstreamEdges(AssetVersion target) {
    List<LineageGraph.Edge> out = new ArrayList<>();
    for (Digest source : index.referrers(target.version())) {
      Optional<String> alias = manifest(source).refs().stream()
          .filter(r -> r.version().equals(target.version())).findFirst().flatMap(Ref::alias);
      out.add(new LineageGraph.Edge(source, target.version(), alias));
    }
    return out;
  }

  // ---- listing ----

  List<AssetVersion> versions(String type, VersionFilter filter, Consumer<IntegrityException> damaged) {
    Names.checkType(type);
    List<AssetVersion> out = new ArrayList<>();
    try (Stream<StoreIndex.VersionKey> s = index.versions(type)) {
      Iterator<StoreIndex.VersionKey> it = s.iterator();
      while (it.hasNext() && out.size() < filter.limit()) {
        StoreIndex.VersionKey key = it.next();
        Instant created = key.createdAt();
        if (filter.until().isPresent() && !created.isBefore(filter.until().get())) {
          continue;
        }
        if (filter.since().isPresent() && created.isBefore(filter.since().get())) {
          break; // newest first: everything after this is older still
        }
        AssetVersion v;
        try {
          v = manifest(key.id());
        } catch (IntegrityException e) {
          damaged.accept(e);
          continue;
        }
        if (filter.matches(v)) {
          out.add(v);
        }
      }
    }
    return out;
  }
}
