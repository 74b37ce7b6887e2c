package dev.ama;

import dev.ama.spi.ObjectInfo;
import java.io.IOException;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The questions asked of a store: selectors, find by content, diffs, comparisons, lineage and
 * filtered listings. Each answers through the index markers and reads only the manifests in its
 * answer, never every manifest of the store.
 */
final class Queries {
  /** The shortest digest prefix accepted as a selector: shorter ones collide too often. */
  static final int MIN_PREFIX = 8;

  private final Store store;
  private final Function<AssetFile, Path> blobs;
  private final Function<Digest, AssetVersion> manifests;
  private final AssetClient client;

  Queries(AssetClient client, Store store, Function<AssetFile, Path> blobs, Function<Digest, AssetVersion> manifests) {
    this.client = client;
    this.store = store;
    this.blobs = blobs;
    this.manifests = manifests;
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
        return manifests.apply(client.require(type, alias).version());
      }
      long n;
      try {
        n = Long.parseLong(which);
      } catch (NumberFormatException e) {
        throw new InvalidInputException("invalid version selector '" + selector + "': after '@' give a history"
            + " position (1, 2, …) or 'latest', such as " + alias + "@1");
      }
      AliasEntry head = client.require(type, alias);
      if (n < 1 || n > head.seq()) {
        throw new NotFoundException("alias " + type + "/" + alias + " has " + head.seq() + " history entr"
            + (head.seq() == 1 ? "y" : "ies") + ", so '" + selector + "' does not exist; use " + alias + "@1 to "
            + alias + "@" + head.seq() + " (see ama log)");
      }
      return manifests.apply(store.readEntry(type, alias, n).version());
    }
    String hex = selector.startsWith(Digest.SHA256 + ":") ? selector.substring(Digest.SHA256.length() + 1) : null;
    if (hex == null) {
      if (Names.isValidAlias(selector)) {
        Optional<AliasEntry> head = store.head(type, selector);
        if (head.isPresent()) {
          return manifests.apply(head.get().version());
        }
      }
      if (!Digest.isHex(selector) || selector.length() < MIN_PREFIX) {
        throw client.notFound(type, Names.checkAlias(selector));
      }
      hex = selector;
    }
    AssetVersion v = manifests.apply(byPrefix(hex, selector));
    if (!v.type().equals(type)) {
      throw new InvalidInputException("version " + v.version() + " is of type '" + v.type() + "', not '" + type
          + "'; use: " + v.type() + " " + selector);
    }
    return v;
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

  List<FileMatch> find(Digest content) {
    List<Digest> versions = new ArrayList<>();
    try (Stream<ObjectInfo> s = store.list(StoreLayout.blobUsesOf(content))) {
      s.forEach(o -> versions.add(StoreLayout.digestAtEnd(o.key())));
    }
    AliasIndex aliases = new AliasIndex();
    List<FileMatch> out = new ArrayList<>();
    for (Digest id : versions) {
      AssetVersion v = manifests.apply(id);
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
      return byVersion.computeIfAbsent(v.version(), d -> client.aliasesOf(v));
    }
  }

  // ---- diff and compare ----

  AssetDiff diff(AssetVersion from, AssetVersion to) {
    Map<String, AssetFile> a = byPath(from);
    Map<String, AssetFile> b = byPath(to);
    List<AssetFile> added = new ArrayList<>();
    List<AssetFile> removed = new ArrayList<>();
    List<AssetDiff.FileChange> changed = new ArrayList<>();
    int unchanged = 0;
    for (AssetFile f : a.values()) {
      AssetFile other = b.get(f.path());
      if (other == null) {
        removed.add(f);
      } else if (other.digest().equals(f.digest())) {
        unchanged++;
      } else {
        changed.add(change(f, other));
      }
    }
    for (AssetFile f : b.values()) {
      if (!a.containsKey(f.path())) {
        added.add(f);
      }
    }
    List<AssetDiff.Rename> renamed = new ArrayList<>();
    for (Iterator<AssetFile> it = removed.iterator(); it.hasNext(); ) {
      AssetFile gone = it.next();
      Optional<AssetFile> moved = added.stream().filter(x -> x.digest().equals(gone.digest())).findFirst();
      if (moved.isPresent()) {
        renamed.add(new AssetDiff.Rename(gone.path(), moved.get().path(), gone.digest()));
        added.remove(moved.get());
        it.remove();
      }
    }
    return new AssetDiff(from, to, added, removed, changed, renamed, unchanged);
  }

  private static Map<String, AssetFile> byPath(AssetVersion v) {
    Map<String, AssetFile> m = new LinkedHashMap<>();
    v.files().forEach(f -> m.put(f.path(), f));
    return m;
  }

  private AssetDiff.FileChange change(AssetFile before, AssetFile after) {
    if (!Parameters.isParameterFile(before.path())) {
      return new AssetDiff.FileChange(before.path(), before, after, List.of(), Optional.empty());
    }
    Map<String, String> x;
    Map<String, String> y;
    try {
      x = parameters(before);
      y = parameters(after);
    } catch (IOException e) {
      return new AssetDiff.FileChange(before.path(), before, after, List.of(),
          Optional.of("not comparable key by key (" + firstLine(e.getMessage()) + "); the bytes differ"));
    }
    List<AssetDiff.ParameterChange> params = new ArrayList<>();
    Set<String> keys = new TreeSet<>(x.keySet());
    keys.addAll(y.keySet());
    for (String k : keys) {
      Optional<String> p = Optional.ofNullable(x.get(k));
      Optional<String> q = Optional.ofNullable(y.get(k));
      if (!p.equals(q)) {
        params.add(new AssetDiff.ParameterChange(k, p, q));
      }
    }
    Optional<String> note = params.isEmpty()
        ? Optional.of("same parameters; only formatting or comments differ")
        : Optional.empty();
    return new AssetDiff.FileChange(before.path(), before, after, params, note);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private Map<String, String> parameters(AssetFile f) throws IOException {
    if (f.size() > Parameters.MAX_BYTES) {
      throw new IOException(f.path() + " is larger than " + Parameters.MAX_BYTES + " bytes");
    }
    byte[] bytes = Files.readAllBytes(blobs.apply(f));
    try {
      return Parameters.flatten(f.path(), bytes);
    } catch (IOException | RuntimeException e) {
      throw new IOException(f.path() + " " + f.digest().shortHex() + " is not valid "
          + (f.path().endsWith(".json") ? "JSON" : "YAML") + ": " + e.getMessage(), e);
    }
  }

  Comparison compare(List<AssetVersion> versions, Optional<String> file) {
    if (versions.isEmpty()) {
      throw new InvalidInputException("nothing to compare: give at least one version");
    }
    if (file.isPresent() && !Parameters.isParameterFile(file.get())) {
      throw new InvalidInputException("cannot compare the parameters of '" + file.get() + "': only YAML and JSON"
          + " files (.yml, .yaml, .json) hold parameters; use diff to see whether other files changed");
    }
    List<Map<String, String>> columns = new ArrayList<>();
    for (AssetVersion v : versions) {
      Map<String, String> params = new LinkedHashMap<>();
      for (AssetFile f : v.files()) {
        if (file.map(name -> name.equals(f.path())).orElse(Parameters.isParameterFile(f.path()))) {
          try {
            parameters(f).forEach((k, val) -> params.put(file.isPresent() ? k : f.path() + ":" + k, val));
          } catch (IOException e) {
            params.put(f.path(), "(unreadable: " + firstLine(e.getMessage()) + ")");
          }
        }
      }
      if (file.isPresent() && v.file(file.get()).isEmpty()) {
        throw new NotFoundException("version " + v + " has no file '" + file.get() + "'; its files are: "
            + v.files().stream().map(AssetFile::path).collect(Collectors.joining(", ")));
      }
      columns.add(params);
    }
    Set<String> keys = new TreeSet<>();
    columns.forEach(c -> keys.addAll(c.keySet()));
    List<Comparison.Row> rows = new ArrayList<>();
    for (String k : keys) {
      List<Optional<String>> values = columns.stream().map(c -> Optional.ofNullable(c.get(k))).collect(Collectors.toList());
      rows.add(new Comparison.Row(k, values, new LinkedHashSet<>(values).size() > 1));
    }
    rows.sort(Comparator.comparing((Comparison.Row r) -> !r.differs()).thenComparing(Comparison.Row::key));
    return new Comparison(versions, rows);
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
          AssetVersion v = manifests.apply(other);
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
    try (Stream<ObjectInfo> s = store.list(StoreLayout.refUsesOf(target.version()))) {
      s.forEach(o -> {
        Digest source = StoreLayout.digestAtEnd(o.key());
        Optional<String> alias = manifests.apply(source).refs().stream()
            .filter(r -> r.version().equals(target.version())).findFirst().flatMap(Ref::alias);
        out.add(new LineageGraph.Edge(source, target.version(), alias));
      });
    }
    return out;
  }

  // ---- listing ----

  List<AssetVersion> versions(String type, VersionFilter filter) {
    Names.checkType(type);
    List<AssetVersion> out = new ArrayList<>();
    try (Stream<ObjectInfo> s = store.list(StoreLayout.versionsOf(type))) {
      Iterator<ObjectInfo> it = s.iterator();
      while (it.hasNext() && out.size() < filter.limit()) {
        String key = it.next().key();
        Instant created = StoreLayout.createdAtOf(key);
        if (filter.until().isPresent() && !created.isBefore(filter.until().get())) {
          continue;
        }
        if (filter.since().isPresent() && created.isBefore(filter.since().get())) {
          break; // newest first: everything after this is older still
        }
        AssetVersion v = manifests.apply(StoreLayout.digestAtEnd(key));
        if (filter.matches(v)) {
          out.add(v);
        }
      }
    }
    return out;
  }
}
