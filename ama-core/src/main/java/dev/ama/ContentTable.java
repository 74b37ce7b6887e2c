package dev.ama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.UploadRecords.Location;
import dev.ama.UploadRecords.UploadRecord;
import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The content index of a format 2 store: which versions hold a blob, and where the blob lives.
 * Uploads write only their own upload record ({@link UploadRecords}); a compaction merges the
 * records into a new generation of sharded tables and publishes it with a commit object, written
 * create-only and last, the way Delta Lake checkpoints its log. A reader takes the newest commit
 * and adds the records written since, so it never misses an upload, whatever a compaction is doing.
 *
 * <p>"Since" is judged by the records' keys, which carry their upload times: a reader lists the
 * records from {@link #CLOCK_MARGIN} before the commit's cut and skips those the commit names as
 * included. A record is missed only if its writer's clock was more than the margin behind the
 * newest upload the compaction saw.
 */
final class ContentTable {
  /** How far behind another uploader a writer's clock may be without its record being missed. */
  static final Duration CLOCK_MARGIN = Duration.ofHours(1);
  /** Blobs per shard a compaction aims at: a shard is one GET, and small enough to read whole. */
  static final int SHARD_TARGET = 50_000;
  /**
   * The most bytes read of one shard: 50,000 blobs take some 12 MiB, more if a blob is shared by
   * thousands of versions; a bound keeps a damaged or hostile shard from exhausting memory.
   */
  static final int MAX_SHARD_BYTES = 256 << 20;

  private final Store store;
  private final UploadRecords records;
  private final Tasks tasks;

  ContentTable(Store store, UploadRecords records, Tasks tasks) {
    this.store = store;
    this.records = records;
    this.tasks = tasks;
  }

  /** One blob of the table: where it lives, and the versions holding it. */
  record Entry(Location at, Set<Digest> versions) {}

  /**
   * A committed generation: the tables of every record up to {@code cut}, sharded by the first
   * {@code shardDigits} hex digits of the blob, and the keys of the records it included that are
   * within {@link #CLOCK_MARGIN} of the cut (readers skip those).
   */
  record Commit(long generation, Instant cut, Set<String> included, int shardDigits, long blobs,
      Map<String, Digest> shards) {
    static final Commit NONE = new Commit(0, Instant.EPOCH, Set.of(), 0, 0, Map.of());

    String shardOf(Digest blob) {
      return blob.hex().substring(0, shardDigits);
    }
  }

  /** What a reader needs: the newest commit and the keys of the records written since. */
  record Snapshot(Commit commit, List<String> since) {}

  /** The newest commit and the records written since; two listings and one read. */
  Snapshot snapshot() {
    Commit c = newestCommit();
    List<String> since = new ArrayList<>();
    String from = c.generation() == 0 ? "" : StoreLayout.uploadRecordsFrom(c.cut().minus(CLOCK_MARGIN));
    try (Stream<ObjectInfo> s = store.list(StoreLayout.UPLOADS_INDEX, from)) {
      s.map(ObjectInfo::key).filter(k -> k.endsWith(".json") && !c.included().contains(k)).forEach(since::add);
    }
    return new Snapshot(c, since);
  }

  /** The versions holding a blob: its shard of the newest generation, and the records written since. */
  List<Digest> holders(Digest blob) {
    return holders(blob, true);
  }

  /**
   * @param parallel whether the records are read on the file threads; not from a task already
   *     running on them, which would wait for threads it holds
   */
  List<Digest> holders(Digest blob, boolean parallel) {
    Snapshot s = snapshot();
    Set<Digest> out = new TreeSet<>();
    Entry e = shard(s.commit(), s.commit().shardOf(blob)).get(blob);
    if (e != null) {
      out.addAll(e.versions());
    }
    List<UploadRecord> since = parallel ? read(s.since())
        : s.since().stream().map(records::read).flatMap(Optional::stream).toList();
    for (UploadRecord r : since) {
      if (r.byBlob().containsKey(blob)) {
        out.add(r.version());
      }
    }
    return List.copyOf(out);
  }

  /**
   * Where the blobs of the compacted table live, for an upload that may find some of them stored
   * already; reads one shard per distinct shard the blobs fall in, nothing else.
   */
  Map<Digest, Location> locate(Collection<Digest> blobs) {
    Commit c = newestCommit();
    if (c.generation() == 0) {
      return Map.of();
    }
    Set<String> shards = new TreeSet<>();
    blobs.forEach(b -> shards.add(c.shardOf(b)));
    Map<Digest, Location> out = new HashMap<>();
    for (Map<Digest, Entry> shard : tasks.run(shards.stream().map(p -> (Callable<Map<Digest, Entry>>) () -> shard(c, p)).toList())) {
      for (Digest b : blobs) {
        Entry e = shard.get(b);
        if (e != null) {
          out.put(b, e.at());
        }
      }
    }
    return out;
  }

  /** The result of a compaction: its generation, or empty if another compaction committed it first. */
  record Compaction(Optional<Long> generation, int recordsMerged, long blobs) {}

  /**
   * Merges the newest generation and the records written since into a new generation, shards
   * first and its commit last, all create-only. Killed at any point it leaves only shards no
   * commit names; racing another compaction, one of them commits and the other's shards are left
   * for garbage collection. Uploads racing it are never lost: a record it did not see is not in
   * its commit's list, and lists after its cut or within the margin before it.
   */
  Compaction compact() {
    Snapshot s = snapshot();
    Commit previous = s.commit();
    TreeMap<Digest, Entry> table = new TreeMap<>();
    if (previous.generation() > 0) {
      for (String prefix : prefixes(previous.shardDigits())) {
        table.putAll(shard(previous, prefix));
      }
    }
    List<UploadRecord> merged = read(s.since());
    Instant cut = previous.cut();
    for (UploadRecord r : merged) {
      for (Location l : r.blobs()) {
        table.computeIfAbsent(l.blob(), b -> new Entry(l, new TreeSet<>())).versions().add(r.version());
      }
    }
    for (String key : s.since()) {
      Instant at = StoreLayout.uploadedAtOf(key);
      cut = at.isAfter(cut) ? at : cut;
    }
    Set<String> included = new TreeSet<>();
    Instant from = cut.minus(CLOCK_MARGIN);
    previous.included().stream().filter(k -> !StoreLayout.uploadedAtOf(k).isBefore(from)).forEach(included::add);
    s.since().stream().filter(k -> !StoreLayout.uploadedAtOf(k).isBefore(from)).forEach(included::add);
    int digits = table.size() <= SHARD_TARGET ? 0 : table.size() <= 16L * SHARD_TARGET ? 1 : 2;
    long generation = previous.generation() + 1;
    Map<String, TreeMap<Digest, Entry>> shards = new TreeMap<>();
    prefixes(digits).forEach(p -> shards.put(p, new TreeMap<>()));
    table.forEach((d, e) -> shards.get(d.hex().substring(0, digits)).put(d, e));
    // Shards are named by their bytes' digest: a killed or racing compaction of the same
    // generation leaves shards of other names, which this commit never takes for its own.
    Map<String, Digest> written = new TreeMap<>();
    for (Map.Entry<String, TreeMap<Digest, Entry>> e : shards.entrySet()) {
      byte[] bytes = encodeShard(e.getValue());
      written.put(e.getKey(), Digest.sha256(bytes));
    }
    tasks.runAll(shards.entrySet().stream().map(e -> (Tasks.Action) () -> {
      byte[] bytes = encodeShard(e.getValue());
      store.putIfAbsent(StoreLayout.tableShard(generation, e.getKey(), written.get(e.getKey())), Content.ofBytes(bytes));
    }).toList());
    Commit next = new Commit(generation, cut, included, digits, table.size(), written);
    PutOutcome o = store.putIfAbsent(StoreLayout.tableCommit(generation), Content.ofBytes(encodeCommit(next)));
    return new Compaction(o == PutOutcome.CREATED ? Optional.of(generation) : Optional.empty(), merged.size(), table.size());
  }

  private List<UploadRecord> read(List<String> keys) {
    return tasks.run(keys.stream().map(k -> (Callable<Optional<UploadRecord>>) () -> records.read(k)).toList())
        .stream().flatMap(Optional::stream).toList();
  }

  private static List<String> prefixes(int digits) {
    List<String> out = new ArrayList<>();
    out.add("");
    for (int i = 0; i < digits; i++) {
      List<String> longer = new ArrayList<>();
      for (String p : out) {
        for (char c : "0123456789abcdef".toCharArray()) {
          longer.add(p + c);
        }
      }
      out = longer;
    }
    return out;
  }

  // ---- reading and writing the objects ----

  private Commit newestCommit() {
    String newest = null;
    try (Stream<ObjectInfo> s = store.list(StoreLayout.COMMITS_INDEX)) {
      for (ObjectInfo o : (Iterable<ObjectInfo>) s::iterator) {
        if (o.key().endsWith(".json")) {
          newest = o.key();
        }
      }
    }
    if (newest == null) {
      return Commit.NONE;
    }
    String key = newest;
    byte[] bytes = store.readIfExists(key, Store.MAX_MANIFEST_BYTES, "content table commit")
        .orElseThrow(() -> new IntegrityException("content table commit " + key + " vanished from " + store.location()
            + " while it was read; only garbage collection removes commits, and only old ones. Retry"));
    return decodeCommit(bytes, key);
  }

  private Map<Digest, Entry> shard(Commit c, String prefix) {
    if (c.generation() == 0) {
      return Map.of();
    }
    Digest digest = c.shards().get(prefix);
    if (digest == null) {
      throw new IntegrityException("content table commit " + StoreLayout.tableCommit(c.generation()) + " in "
          + store.location() + " names no shard for blobs starting " + prefix + ": it was not written by AMA or was"
          + " damaged. Remove it to read the previous generation");
    }
    String key = StoreLayout.tableShard(c.generation(), prefix, digest);
    byte[] bytes = store.readIfExists(key, MAX_SHARD_BYTES, "content table shard")
        .orElseThrow(() -> new IntegrityException("content table shard " + key + " is missing from " + store.location()
            + ", though its commit names it: the store was damaged. Remove the commit "
            + StoreLayout.tableCommit(c.generation()) + " to read the previous generation, and compact again"));
    if (!Digest.sha256(bytes).equals(digest)) {
      throw new IntegrityException("content table shard " + key + " in " + store.location() + " does not hash to the"
          + " digest in its name: it was damaged. Remove the commit " + StoreLayout.tableCommit(c.generation())
          + " to read the previous generation, and compact again");
    }
    return decodeShard(bytes, key);
  }

  static byte[] encodeCommit(Commit c) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("blobs", c.blobs());
    n.put("cut", c.cut().toEpochMilli());
    n.put("generation", c.generation());
    ArrayNode included = n.putArray("included");
    c.included().forEach(included::add);
    n.put("shardDigits", c.shardDigits());
    ObjectNode shards = n.putObject("shards");
    c.shards().forEach((p, d) -> shards.put(p, d.toString()));
    return Manifests.canonical(n);
  }

  static Commit decodeCommit(byte[] bytes, String key) {
    String where = "content table commit " + key;
    JsonNode n = parse(bytes, where);
    Set<String> included = new HashSet<>();
    n.path("included").forEach(k -> included.add(k.asText()));
    Map<String, Digest> shards = new TreeMap<>();
    n.path("shards").fields().forEachRemaining(e -> shards.put(e.getKey(), UploadRecords.digest(n.path("shards"), e.getKey(), where)));
    return new Commit(Manifests.whole(n, "generation", 1, Long.MAX_VALUE, where),
        Instant.ofEpochMilli(Manifests.whole(n, "cut", 0, Long.MAX_VALUE, where)), included,
        (int) Manifests.whole(n, "shardDigits", 0, 2, where), Manifests.whole(n, "blobs", 0, Long.MAX_VALUE, where),
        shards);
  }

  static byte[] encodeShard(Map<Digest, Entry> entries) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode blobs = root.putArray("blobs");
    entries.forEach((d, e) -> {
      ObjectNode n = blobs.addObject();
      UploadRecords.encodeLocation(n, e.at());
      ArrayNode versions = n.putArray("versions");
      e.versions().forEach(v -> versions.add(v.toString()));
    });
    return Manifests.canonical(root);
  }

  static Map<Digest, Entry> decodeShard(byte[] bytes, String key) {
    String where = "content table shard " + key;
    JsonNode root = parse(bytes, where);
    Map<Digest, Entry> out = new HashMap<>();
    for (JsonNode b : root.path("blobs")) {
      Set<Digest> versions = new TreeSet<>();
      for (JsonNode v : b.path("versions")) {
        try {
          versions.add(Digest.parse(v.asText()));
        } catch (RuntimeException e) {
          throw new IntegrityException(where + " names a holder that is not a digest: " + v, e);
        }
      }
      Location l = UploadRecords.decodeLocation(b, where);
      out.put(l.blob(), new Entry(l, versions));
    }
    return out;
  }

  private static JsonNode parse(byte[] bytes, String where) {
    try {
      JsonNode n = Manifests.JSON.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new IntegrityException(where + " is not a JSON object; it was not written by AMA or was damaged");
      }
      return n;
    } catch (IOException e) {
      throw new IntegrityException(where + " does not parse (" + e.getMessage() + "); it was not written by AMA or was"
          + " damaged", e);
    }
  }
}
