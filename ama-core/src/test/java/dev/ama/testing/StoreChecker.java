package dev.ama.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ama.Digest;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks a store against the invariants its write order promises, reading the raw objects as the
 * store format describes them rather than through the client, so the client's own reading code is
 * not what decides whether the client wrote correctly.
 *
 * <p>A store is consistent when every object under a content address holds exactly the bytes that
 * hash to it; every alias log is dense, chained through {@code previous}, and points only at
 * complete versions (manifest, every blob, every ref, every index marker present); every manifest
 * lists only blobs and refs that exist; and every index marker points at a manifest that exists.
 * Unreferenced blobs and manifests, which a crash may leave, are allowed, and so is an alias entry
 * whose version garbage collection removed (its {@code index/collected/} marker says so), and
 * garbage collection's own objects under {@code gc/}.
 */
public final class StoreChecker {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEX = "[0-9a-f]{64}";
  private static final Pattern BLOB = Pattern.compile("blobs/sha256/([0-9a-f]{2})/(" + HEX + ")");
  private static final Pattern MANIFEST = Pattern.compile("manifests/sha256/([0-9a-f]{2})/(" + HEX + ")\\.json");
  private static final Pattern ALIAS_ENTRY = Pattern.compile("aliases/([^/]+)/([^/]+)/([0-9]{10})\\.json");
  private static final Pattern ALIAS_HEAD = Pattern.compile("aliases/([^/]+)/([^/]+)/HEAD");
  private static final Pattern TYPE_MARKER = Pattern.compile("index/types/([^/]+)");
  private static final Pattern ALIAS_MARKER = Pattern.compile("index/aliases/([^/]+)/([^/]+)");
  private static final Pattern VERSION_MARKER =
      Pattern.compile("index/versions/([^/]+)/([0-9]{19})-sha256-(" + HEX + ")");
  private static final Pattern BLOB_USE = Pattern.compile("index/blobs/sha256/(" + HEX + ")/sha256-(" + HEX + ")");
  private static final Pattern REF_USE = Pattern.compile("index/refs/sha256/(" + HEX + ")/sha256-(" + HEX + ")");
  private static final Pattern COLLECTED = Pattern.compile("index/collected/sha256/(" + HEX + ")");
  private static final Pattern GC_OBJECT = Pattern.compile("gc/(leases/[^/]+\\.json|plans/[^/]+\\.json|probes/[^/]+)");
  private static final Pattern PACK = Pattern.compile("packs/sha256/([0-9a-f]{2})/(" + HEX + ")");
  private static final Pattern UPLOAD_RECORD = Pattern.compile("index/uploads/([0-9]{19})-sha256-(" + HEX + ")\\.json");
  private static final Pattern CONTENT_USE = Pattern.compile("index/contents/sha256/(" + HEX + ")/sha256-(" + HEX + ")");
  private static final Pattern TABLE_OBJECT =
      Pattern.compile("index/(commits/[0-9]{10}\\.json|tables/[0-9]{10}/[0-9a-f]{0,2}(all)?-sha256-" + HEX + "\\.json)");
  /** A repacked pack's forwarding object; its contents are checked where a record's location leads to it. */
  private static final Pattern PACK_FORWARDING = Pattern.compile("index/moves/sha256-" + HEX + "\\.json");
  private static final Pattern ALIAS_TARGET = Pattern.compile("index/targets/sha256/(" + HEX + ")/([^/]+)/([^/]+)");

  /** What was checked and what was wrong. */
  public record Report(
      List<String> problems, int blobs, int manifests, int aliasEntries, int markers,
      Map<String, List<AliasEntryView>> aliasLogs) {
    /** Throws an {@link AssertionError} listing every problem, if there is any. */
    public Report assertConsistent(String context) {
      if (!problems.isEmpty()) {
        throw new AssertionError("store inconsistent " + context + ":\n  " + String.join("\n  ", problems));
      }
      return this;
    }
  }

  /** One alias log entry as stored. */
  public record AliasEntryView(long seq, String version, Optional<String> previous, String by) {}

  private record FileView(String path, String blob, long size) {}

  private record ManifestView(
      String type, Optional<String> alias, Instant createdAt, List<FileView> files, Set<String> refs) {}

  private final Storage storage;
  private final List<String> problems = new ArrayList<>();
  private final Set<String> keys = new HashSet<>();
  private final Map<String, Long> blobs = new HashMap<>();
  private final Map<String, ManifestView> manifests = new HashMap<>();
  private final Map<String, Boolean> complete = new HashMap<>();
  /** Format 2: packs by hex, and each version's blob locations from its upload record. */
  private final Set<String> packs = new HashSet<>();
  private final Map<String, Map<String, JsonNode>> records = new HashMap<>();
  private int format = 1;

  private StoreChecker(Storage storage) {
    this.storage = storage;
  }

  /** Reads every object of a storage and checks it. */
  public static Report check(Storage storage) throws IOException {
    return new StoreChecker(storage).run();
  }

  private Report run() throws IOException {
    List<ObjectInfo> all;
    try (Stream<ObjectInfo> s = storage.list("")) {
      all = s.toList();
    }
    all.forEach(o -> keys.add(o.key()));
    if (!all.isEmpty()) {
      checkFormatMarker();
    }
    for (ObjectInfo o : all) {
      Matcher m = BLOB.matcher(o.key());
      if (m.matches()) {
        checkBlob(o, m.group(1), m.group(2));
      } else if ((m = PACK.matcher(o.key())).matches()) {
        checkPack(o, m.group(1), m.group(2));
      }
    }
    for (ObjectInfo o : all) {
      Matcher m = UPLOAD_RECORD.matcher(o.key());
      if (m.matches()) {
        readRecord(o.key(), m.group(2));
      }
    }
    for (ObjectInfo o : all) {
      Matcher m = MANIFEST.matcher(o.key());
      if (m.matches()) {
        readManifest(o.key(), m.group(1), m.group(2));
      }
    }
    // Blobs are written before the manifest that lists them, and a ref is resolved to a stored
    // manifest before the referring one is written, so even an unreferenced manifest is complete.
    for (String version : new TreeMap<>(manifests).keySet()) {
      isComplete(version, "manifest " + version);
    }
    Map<String, TreeMap<Long, AliasEntryView>> logs = new TreeMap<>();
    Map<String, String> heads = new HashMap<>();
    int markers = 0;
    for (ObjectInfo o : all) {
      String key = o.key();
      Matcher m;
      if (key.equals("ama-store.json") || BLOB.matcher(key).matches() || MANIFEST.matcher(key).matches()
          || (format == 2 && (PACK.matcher(key).matches() || UPLOAD_RECORD.matcher(key).matches()
              || TABLE_OBJECT.matcher(key).matches() || PACK_FORWARDING.matcher(key).matches()))) {
        continue;
      } else if ((m = ALIAS_ENTRY.matcher(key)).matches()) {
        String typeAlias = m.group(1) + "/" + m.group(2);
        readAliasEntry(key, m.group(1), m.group(2), Long.parseLong(m.group(3)))
            .ifPresent(e -> logs.computeIfAbsent(typeAlias, x -> new TreeMap<>()).put(e.seq(), e));
      } else if ((m = ALIAS_HEAD.matcher(key)).matches()) {
        heads.put(m.group(1) + "/" + m.group(2), key);
      } else if (GC_OBJECT.matcher(key).matches()) {
        continue;
      } else if (key.startsWith("index/")) {
        markers++;
        checkMarker(key);
      } else {
        problems.add("unexpected object " + key);
      }
    }
    Map<String, List<AliasEntryView>> histories = new TreeMap<>();
    int entries = 0;
    for (Map.Entry<String, TreeMap<Long, AliasEntryView>> log : logs.entrySet()) {
      histories.put(log.getKey(), checkLog(log.getKey(), log.getValue()));
      entries += log.getValue().size();
    }
    for (Map.Entry<String, String> head : heads.entrySet()) {
      checkHead(head.getValue(), logs.getOrDefault(head.getKey(), new TreeMap<>()));
    }
    return new Report(List.copyOf(problems), blobs.size(), manifests.size(), entries, markers, histories);
  }

  private void checkFormatMarker() throws IOException {
    if (!keys.contains("ama-store.json")) {
      problems.add("the store holds objects but no ama-store.json, which is written before anything else");
      return;
    }
    JsonNode n = JSON.readTree(read("ama-store.json"));
    if (!"ama-store".equals(n.path("format").asText()) || n.path("version").asInt() < 1 || n.path("version").asInt() > 2) {
      problems.add("ama-store.json is not a version 1 or 2 format marker: " + n);
    }
    format = n.path("version").asInt();
  }

  private void checkPack(ObjectInfo o, String h2, String hex) throws IOException {
    Digest actual;
    try (InputStream in = storage.open(o.key())) {
      actual = Digest.sha256(in);
    }
    if (!hex.startsWith(h2) || !actual.hex().equals(hex)) {
      problems.add("pack " + o.key() + " holds " + o.size() + " bytes hashing to " + actual + ": partial or corrupt");
      return;
    }
    packs.add(hex);
  }

  private void readRecord(String key, String version) throws IOException {
    try {
      JsonNode n = JSON.readTree(read(key));
      if (!("sha256:" + version).equals(text(n, "version"))) {
        problems.add("upload record " + key + " names version " + n.path("version"));
      }
      Map<String, JsonNode> byBlob = new HashMap<>();
      for (JsonNode b : required(n, "blobs")) {
        byBlob.put(digestHex(text(b, "digest")), b);
      }
      records.put(version, byBlob);
    } catch (IOException | RuntimeException e) {
      problems.add("upload record " + key + " does not parse: " + e);
    }
  }

  /** Format 2: the size of a blob as its version's record locates it, checked by hashing its range; null if missing. */
  private Long locatedSize(String version, String blob) throws IOException {
    Map<String, JsonNode> record = records.get(version);
    JsonNode at = record == null ? null : record.get(blob);
    if (at == null) {
      return null;
    }
    if (!at.has("pack")) {
      return blobs.get(blob);
    }
    String pack = digestHex(at.get("pack").asText());
    // A pack gc repacked is gone: its forwarding object (docs/store-format.md) says where the blob went.
    for (int hop = 0; !packs.contains(pack); hop++) {
      String moves = "index/moves/sha256-" + pack + ".json";
      if (hop > 16 || !keys.contains(moves)) {
        return null;
      }
      JsonNode to = null;
      for (JsonNode b : required(JSON.readTree(read(moves)), "blobs")) {
        if (digestHex(text(b, "digest")).equals(blob)) {
          to = b;
        }
      }
      if (to == null) {
        problems.add("forwarding object " + moves + " does not forward blob " + blob);
        return null;
      }
      at = to;
      pack = digestHex(at.get("pack").asText());
    }
    try (InputStream in = storage.open("packs/sha256/" + pack.substring(0, 2) + "/" + pack, at.get("offset").asLong(),
        at.get("size").asLong())) {
      byte[] bytes = in.readAllBytes();
      return Digest.sha256(bytes).hex().equals(blob) ? (long) bytes.length : null;
    }
  }

  private void checkBlob(ObjectInfo o, String h2, String hex) throws IOException {
    Digest actual;
    try (InputStream in = storage.open(o.key())) {
      actual = Digest.sha256(in);
    }
    if (!hex.startsWith(h2)) {
      problems.add("blob " + o.key() + " sits under the wrong two-digit folder");
    }
    if (!actual.hex().equals(hex)) {
      problems.add("blob " + o.key() + " holds " + o.size() + " bytes hashing to " + actual + ": partial or corrupt");
    }
    blobs.put(hex, o.size());
  }

  private void readManifest(String key, String h2, String hex) throws IOException {
    byte[] bytes = read(key);
    String actual = Digest.sha256(bytes).hex();
    if (!actual.equals(hex) || !hex.startsWith(h2)) {
      problems.add("manifest " + key + " hashes to " + actual + ": partial or corrupt");
      return;
    }
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root.path("schema").asInt() != 1) {
        problems.add("manifest " + key + " has no schema 1: " + root.path("schema"));
      }
      List<FileView> files = new ArrayList<>();
      for (JsonNode f : required(root, "files")) {
        files.add(new FileView(text(f, "path"), digestHex(text(f, "digest")), f.path("size").asLong(-1)));
      }
      Set<String> refs = new HashSet<>();
      for (JsonNode r : required(root, "refs")) {
        text(r, "type");
        refs.add(digestHex(text(r, "version")));
      }
      manifests.put(hex, new ManifestView(
          text(root, "type"),
          Optional.ofNullable(root.get("alias")).map(JsonNode::asText),
          Instant.parse(text(root, "createdAt")),
          files,
          refs));
    } catch (IOException | RuntimeException e) {
      problems.add("manifest " + key + " does not parse: " + e);
    }
  }

  /**
   * Whether a version's manifest, blobs and refs (transitively) are all present and sound. What is
   * missing is reported once per version; every caller that needs the version reports itself.
   */
  private boolean isComplete(String version, String context) {
    Boolean known = complete.get(version);
    if (known != null) {
      if (!known) {
        problems.add(context + " needs version " + version + ", which is incomplete (see above)");
      }
      return known;
    }
    complete.put(version, true); // cuts cycles, which content addressing makes impossible anyway
    boolean ok = true;
    ManifestView m = manifests.get(version);
    if (m == null) {
      problems.add(context + ": manifest " + version + " is missing or unreadable");
      ok = false;
    } else {
      if (format == 2 && !records.containsKey(version)) {
        problems.add(context + ": version " + version + " has no upload record (written before its manifest)");
        ok = false;
      }
      for (FileView f : m.files()) {
        Long size;
        try {
          size = format == 2 ? locatedSize(version, f.blob()) : blobs.get(f.blob());
        } catch (IOException e) {
          size = null;
        }
        if (size == null) {
          problems.add(context + ": version " + version + " lists " + f.path() + " whose blob " + f.blob() + " is missing");
          ok = false;
        } else if (size != f.size()) {
          problems.add(context + ": version " + version + " lists " + f.path() + " with size " + f.size()
              + " but its blob holds " + size + " bytes");
          ok = false;
        }
      }
      for (String ref : m.refs()) {
        ok &= isComplete(ref, context + " -> ref " + ref);
      }
    }
    complete.put(version, ok);
    return ok;
  }

  private Optional<AliasEntryView> readAliasEntry(String key, String type, String alias, long seq) throws IOException {
    try {
      JsonNode n = JSON.readTree(read(key));
      if (!type.equals(text(n, "type")) || !alias.equals(text(n, "alias")) || n.path("seq").asLong() != seq) {
        problems.add("alias entry " + key + " describes " + n.path("type") + "/" + n.path("alias") + " #" + n.path("seq"));
      }
      text(n, "by");
      Instant.parse(text(n, "at"));
      return Optional.of(new AliasEntryView(
          seq,
          digestHex(text(n, "version")),
          Optional.ofNullable(n.get("previous")).map(p -> digestHex(p.asText())),
          text(n, "by")));
    } catch (IOException | RuntimeException e) {
      problems.add("alias entry " + key + " does not parse: " + e);
      return Optional.empty();
    }
  }

  private List<AliasEntryView> checkLog(String typeAlias, TreeMap<Long, AliasEntryView> log) {
    String type = typeAlias.substring(0, typeAlias.indexOf('/'));
    String alias = typeAlias.substring(typeAlias.indexOf('/') + 1);
    long expected = 1;
    Optional<String> previous = Optional.empty();
    for (AliasEntryView e : log.values()) {
      String where = "alias " + typeAlias + " entry " + e.seq();
      if (e.seq() != expected) {
        problems.add("alias " + typeAlias + " has entry " + e.seq() + " but no entry " + expected + ": the log has a gap");
        expected = e.seq();
      }
      if (!e.previous().equals(previous)) {
        problems.add(where + " says the alias pointed at " + e.previous().orElse("nothing") + " before, but entry "
            + (e.seq() - 1) + " points at " + previous.orElse("nothing"));
      }
      if (!manifests.containsKey(e.version()) && keys.contains("index/collected/sha256/" + e.version())) {
        // Collected under a retention policy: the entry stays as history, its version is gone.
      } else if (isComplete(e.version(), where)) {
        ManifestView m = manifests.get(e.version());
        if (!m.type().equals(type)) {
          problems.add(where + " points at a version of type " + m.type());
        }
        // Index markers are written before the alias entry, so a version reachable by alias is fully
        // indexed, unless gc is removing it (its "collected" marker comes first, then its markers go).
        if (keys.contains("index/collected/sha256/" + e.version())) {
          previous = Optional.of(e.version());
          expected++;
          continue;
        }
        requireMarker(where, "index/types/" + type);
        requireMarker(where, "index/aliases/" + type + "/" + alias);
        requireMarker(where, "index/targets/sha256/" + e.version() + "/" + type + "/" + alias);
        requireMarker(where, "index/versions/" + type + "/"
            + String.format("%019d", Long.MAX_VALUE - m.createdAt().toEpochMilli()) + "-sha256-" + e.version());
        if (format == 1) {
          m.files().stream().map(FileView::blob).distinct()
              .forEach(b -> requireMarker(where, "index/blobs/sha256/" + b + "/sha256-" + e.version()));
        } else if (keys.stream().noneMatch(k -> k.startsWith("index/contents/") && k.endsWith("/sha256-" + e.version()))) {
          problems.add(where + ": no content identity marker names version " + e.version());
        }
        m.refs().forEach(r -> requireMarker(where, "index/refs/sha256/" + r + "/sha256-" + e.version()));
      }
      previous = Optional.of(e.version());
      expected++;
    }
    return List.copyOf(log.values());
  }

  private void requireMarker(String where, String key) {
    if (!keys.contains(key)) {
      problems.add(where + ": index marker " + key + " is missing although the alias already moved");
    }
  }

  private void checkHead(String key, TreeMap<Long, AliasEntryView> log) throws IOException {
    String text = new String(read(key), StandardCharsets.US_ASCII).trim();
    long hint;
    try {
      hint = Long.parseLong(text);
    } catch (NumberFormatException e) {
      problems.add("alias hint " + key + " is not a number: '" + text + "'");
      return;
    }
    // The hint is written only after the entry it names, and entries are never deleted.
    if (hint < 1 || !log.containsKey(hint)) {
      problems.add("alias hint " + key + " names entry " + hint + ", which does not exist");
    }
  }

  private void checkMarker(String key) throws IOException {
    Optional<ObjectInfo> info = storage.stat(key);
    if (info.isPresent() && info.get().size() != 0) {
      problems.add("index marker " + key + " is not empty");
    }
    Matcher m;
    if ((m = VERSION_MARKER.matcher(key)).matches()) {
      String version = m.group(3);
      if (isComplete(version, "index marker " + key)) {
        ManifestView v = manifests.get(version);
        long millis = Long.MAX_VALUE - Long.parseLong(m.group(2));
        if (!v.type().equals(m.group(1)) || v.createdAt().toEpochMilli() != millis) {
          problems.add("index marker " + key + " does not match version " + version + " of type " + v.type()
              + " created " + v.createdAt());
        }
      }
    } else if ((m = BLOB_USE.matcher(key)).matches()) {
      String blob = m.group(1);
      String version = m.group(2);
      if (isComplete(version, "index marker " + key)
          && manifests.get(version).files().stream().noneMatch(f -> f.blob().equals(blob))) {
        problems.add("index marker " + key + ": version " + version + " has no file with blob " + blob);
      }
    } else if ((m = REF_USE.matcher(key)).matches()) {
      String target = m.group(1);
      String source = m.group(2);
      if (isComplete(source, "index marker " + key) && !manifests.get(source).refs().contains(target)) {
        problems.add("index marker " + key + ": version " + source + " does not ref " + target);
      }
    } else if ((m = ALIAS_TARGET.matcher(key)).matches()) {
      // Written just before the alias entry, so the move it announces may never have happened.
      String version = m.group(1);
      if (isComplete(version, "index marker " + key) && !manifests.get(version).type().equals(m.group(2))) {
        problems.add("index marker " + key + " names a version of type " + manifests.get(version).type());
      }
    } else if ((m = CONTENT_USE.matcher(key)).matches() && format == 2) {
      isComplete(m.group(2), "index marker " + key);
    } else if (COLLECTED.matcher(key).matches()) {
      // Written before gc deletes the version; a killed gc may leave it beside the manifest.
    } else if ((m = ALIAS_MARKER.matcher(key)).matches() || (m = TYPE_MARKER.matcher(key)).matches()) {
      // Written after a manifest of the type, before anything names it. Garbage collection keeps
      // these markers (an upload of the type may be writing one), so after it collected every
      // version of a type, the marker may outlive them; that is allowed once gc has run.
      String type = m.group(1);
      boolean gcRan = keys.stream().anyMatch(k -> k.startsWith("index/collected/") || k.startsWith("gc/"));
      if (!gcRan && manifests.values().stream().noneMatch(v -> v.type().equals(type))) {
        problems.add("index marker " + key + " names a type no stored version has");
      }
    } else {
      problems.add("unexpected index object " + key);
    }
  }

  private byte[] read(String key) throws IOException {
    try (InputStream in = storage.open(key)) {
      return in.readAllBytes();
    }
  }

  private static Iterable<JsonNode> required(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException("no array field '" + field + "'");
    }
    return v;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("no text field '" + field + "'");
    }
    return v.asText();
  }

  private static String digestHex(String text) {
    return Digest.parse(text).hex();
  }
}
