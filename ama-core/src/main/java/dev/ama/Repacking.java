package dev.ama;

import dev.ama.PackMoves.Moves;
import dev.ama.UploadRecords.Location;
import dev.ama.UploadRecords.UploadRecord;
import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Garbage collection's part for format 2 stores (docs/gc.md, "Format 2: packs"): liveness by
 * location, and what becomes of packs, forwarding objects, upload records and old content table
 * generations.
 *
 * <p>A surviving version keeps its blobs where its upload record says they live, and, if that pack
 * was repacked, where the forwarding objects lead. An old pack nothing keeps is deleted; one whose
 * dead bytes reach {@link #REPACK_SHARE} has its live blobs copied into a new pack (create-only,
 * named by its bytes), then a forwarding object is written, and only then is the old pack deleted,
 * so a kept version is readable at every instant. Packs an upload leased are left alone. One run's
 * state; not thread-safe except where noted.
 */
final class Repacking {
  /**
   * A pack whose dead bytes reach this share of its size is repacked. Below it the space is not
   * worth the copy: restic's prune leaves packs alone up to 5% unused by default; a 10% threshold
   * keeps one changed file of 2,000 from rewriting a pack per gc, and bounds the waste at a tenth.
   */
  static final double REPACK_SHARE = 0.10;

  private final Store store;
  private final Tasks tasks;
  private final PackMoves moves;
  private final UploadRecords records;

  private final Map<Digest, ObjectInfo> packs = new TreeMap<>();
  /** Upload records listed, by the version they locate. */
  private final Map<Digest, ObjectInfo> recordKeys = new HashMap<>();
  private final Map<Digest, ObjectInfo> forwarding = new TreeMap<>();
  private final List<ObjectInfo> tableObjects = new ArrayList<>();
  /** Live blobs by pack, from surviving records and young ones, through forwarding. */
  private final Map<Digest, Map<Digest, Location>> live = new HashMap<>();
  /** Packs surviving records name (before forwarding), and leased packs: their forwarding stays. */
  private final Set<Digest> named = new HashSet<>();
  private final Set<Digest> leased = new HashSet<>();
  private final Set<Digest> keptByPolicy = new HashSet<>();
  private final Set<Digest> located = ConcurrentHashMap.newKeySet();
  private final Set<Digest> unlocated = ConcurrentHashMap.newKeySet();
  private final List<String> notes = new ArrayList<>();

  Repacking(Store store, Tasks tasks) {
    this.store = store;
    this.tasks = tasks;
    this.moves = new PackMoves(store);
    this.records = new UploadRecords(store);
  }

  /** What a run will do with format 2's objects. */
  record Decision(Set<Digest> deletePacks, Map<Digest, List<Location>> repack, Set<Digest> deleteForwarding,
      Set<String> deleteRecords, long freedBytes, int sparedPacks) {
    static final Decision NONE = new Decision(Set.of(), Map.of(), Set.of(), Set.of(), 0, 0);

    /** The packs whose locations this run may make unresolvable: what its plan names. */
    Set<Digest> planned() {
      Set<Digest> out = new TreeSet<>(deletePacks);
      out.addAll(repack.keySet());
      out.addAll(deleteForwarding);
      return out;
    }

    int packs() {
      return deletePacks.size() + repack.size();
    }

    /** This decision, limited to what a plan named (deletions never grow after the plan is written). */
    Decision within(Decision planned) {
      Set<Digest> packs = planned.planned();
      Set<Digest> delete = new TreeSet<>(deletePacks);
      delete.retainAll(packs);
      Map<Digest, List<Location>> re = new TreeMap<>(repack);
      re.keySet().retainAll(packs);
      Set<Digest> fwd = new TreeSet<>(deleteForwarding);
      fwd.retainAll(packs);
      Set<String> recs = new TreeSet<>(deleteRecords);
      recs.retainAll(planned.deleteRecords());
      return new Decision(delete, re, fwd, recs, freedBytes, sparedPacks);
    }
  }

  /** Takes what {@code index/} holds from the collector's listing, and lists {@code packs/}. */
  void inventory(List<ObjectInfo> index) {
    try (Stream<ObjectInfo> s = store.list(Store.PACKS)) {
      s.forEach(o -> digestOfPack(o.key()).ifPresent(d -> packs.put(d, o)));
    }
    for (ObjectInfo o : index) {
      String key = o.key();
      if (key.startsWith(StoreLayout.UPLOADS_INDEX)) {
        StoreWalk.parseMarker(o).filter(m -> m instanceof StoreWalk.UploadRecordKey)
            .map(m -> (StoreWalk.UploadRecordKey) m).ifPresent(u -> recordKeys.put(u.version(), o));
      } else if (key.startsWith(StoreLayout.MOVES_INDEX)) {
        StoreLayout.movedPack(key).ifPresent(p -> forwarding.put(p, o));
      } else if (key.startsWith(StoreLayout.COMMITS_INDEX) || key.startsWith(StoreLayout.TABLES_INDEX)) {
        tableObjects.add(o);
      }
    }
  }

  private static Optional<Digest> digestOfPack(String key) {
    String name = StoreLayout.lastSegment(key);
    if (!key.startsWith(Store.PACKS + "sha256/") || !name.matches("[0-9a-f]{64}")) {
      return Optional.empty();
    }
    Digest d = Digest.sha256Hex(name);
    return Store.packKey(d).equals(key) ? Optional.of(d) : Optional.empty();
  }

  /**
   * Keeps the blobs of surviving versions where their records locate them: packed ones in their
   * packs (and wherever forwarding leads), loose ones added to {@code looseKept}. A version whose
   * record is missing or damaged is remembered: then nothing is deleted, since where its blobs
   * live is unknown.
   */
  void locate(Collection<AssetVersion> survivors, Set<Digest> looseKept) {
    List<AssetVersion> todo = survivors.stream().filter(v -> !located.contains(v.version())).toList();
    List<Callable<Optional<UploadRecord>>> reads = new ArrayList<>();
    for (AssetVersion v : todo) {
      reads.add(() -> readRecord(v));
    }
    List<Optional<UploadRecord>> read = tasks.run(reads);
    for (int i = 0; i < todo.size(); i++) {
      AssetVersion v = todo.get(i);
      located.add(v.version());
      Optional<UploadRecord> r = read.get(i);
      if (r.isEmpty()) {
        unlocated.add(v.version());
        continue;
      }
      Set<Digest> files = new HashSet<>();
      v.files().forEach(f -> files.add(f.digest()));
      Map<Digest, Location> at = r.get().byBlob();
      for (Digest f : files) {
        Location l = at.get(f);
        if (l == null) {
          unlocated.add(v.version());
        } else {
          keep(l, looseKept);
        }
      }
    }
  }

  private Optional<UploadRecord> readRecord(AssetVersion v) {
    String key = StoreLayout.uploadRecord(v.createdAt(), v.version());
    try {
      Optional<UploadRecord> r = records.read(key).filter(x -> x.version().equals(v.version()));
      if (r.isEmpty()) {
        synchronized (notes) {
          notes.add("version " + v.version() + " is kept but has no upload record (" + key + "), so where its blobs"
              + " live is unknown; no blob or pack is deleted while it is missing. Run 'ama migrate --yes', which writes"
              + " the records of versions that have none (a client older than format 2 may have written it), then gc again");
        }
      }
      return r;
    } catch (IntegrityException e) {
      synchronized (notes) {
        notes.add("version " + v.version() + " is kept but its upload record cannot be read (" + e.getMessage()
            + "); no blob or pack is deleted while it is unreadable. Run ama verify");
      }
      return Optional.empty();
    }
  }

  /** Keeps one location live, and every location forwarding leads to from it. */
  private void keep(Location l, Set<Digest> looseKept) {
    if (l.pack().isEmpty()) {
      looseKept.add(l.blob());
      return;
    }
    named.add(l.pack().get());
    Location at = l;
    for (int hop = 0; hop <= PackMoves.MAX_HOPS && at != null; hop++) {
      Digest pack = at.pack().orElseThrow();
      live.computeIfAbsent(pack, p -> new HashMap<>()).put(at.blob(), at);
      at = forwarding.containsKey(pack) ? forwardedOrNull(pack, l.blob()) : null;
    }
  }

  private Location forwardedOrNull(Digest pack, Digest blob) {
    try {
      return moves.of(pack).map(m -> m.to().get(blob)).orElse(null);
    } catch (IntegrityException e) {
      notes.add("forwarding object " + StoreLayout.moves(pack) + " cannot be read (" + e.getMessage() + "); the packs"
          + " it may lead to are kept. Run ama verify");
      unlocated.add(pack);
      return null;
    }
  }

  /** Remembers which packs the policy keeps (as opposed to what is only spared), for the report. */
  void policyMarked() {
    keptByPolicy.addAll(live.keySet());
  }

  void leased(Set<Digest> packs) {
    leased.addAll(packs);
  }

  boolean allLocated() {
    return unlocated.isEmpty();
  }

  List<String> notes() {
    return notes;
  }

  /**
   * What to do with packs, forwarding objects and records, given the manifests this run dooms.
   *
   * @param old whether an object is older than the grace period, with a believable time
   * @param cutoff the store's time the grace period ends at
   * @param manifests the manifests listed
   * @param survivors the versions that stay (kept, young, leased, or unreadable)
   * @param doomed the manifests this run removes
   * @param looseKept the loose blobs that stay; young records add theirs
   */
  Decision decide(Predicate<ObjectInfo> old, Instant cutoff, Set<Digest> manifests, Set<Digest> survivors, Set<Digest> doomed,
      Set<Digest> looseKept) {
    // Records of versions that stay keep their locations; so do young records (an upload writes its
    // record before its manifest, so a young record may be an upload in progress).
    Set<String> deleteRecords = new TreeSet<>();
    List<Digest> youngRecords = new ArrayList<>();
    recordKeys.forEach((v, o) -> {
      boolean stays = survivors.contains(v) || (manifests.contains(v) && !doomed.contains(v));
      if (doomed.contains(v) || (!stays && old.test(o))) {
        deleteRecords.add(o.key());
      } else if (!stays && !located.contains(v)) {
        youngRecords.add(v);
      }
    });
    if (!youngRecords.isEmpty()) {
      locateYoung(youngRecords, looseKept);
    }
    if (!allLocated()) {
      return Decision.NONE;
    }

    // Forwarding is needed from every pack a staying record or a lease names, and on from where it leads.
    Set<Digest> needed = new HashSet<>();
    java.util.ArrayDeque<Digest> todo = new java.util.ArrayDeque<>(named);
    todo.addAll(leased);
    while (!todo.isEmpty()) {
      Digest p = todo.pop();
      if (needed.add(p) && forwarding.containsKey(p)) {
        Optional<Moves> m = readMoves(p);
        if (m.isEmpty()) {
          return Decision.NONE;
        }
        m.get().to().values().forEach(l -> l.pack().ifPresent(todo::add));
      }
    }

    Set<Digest> deletePacks = new TreeSet<>();
    Map<Digest, List<Location>> repack = new TreeMap<>();
    long freed = 0;
    int spared = 0;
    for (Map.Entry<Digest, ObjectInfo> e : packs.entrySet()) {
      Digest pack = e.getKey();
      ObjectInfo info = e.getValue();
      Map<Digest, Location> alive = live.getOrDefault(pack, Map.of());
      if (!old.test(info) || leased.contains(pack)) {
        spared += keptByPolicy.contains(pack) ? 0 : 1;
        continue;
      }
      if (alive.isEmpty()) {
        deletePacks.add(pack);
        freed += info.size();
        continue;
      }
      long liveBytes = distinctBytes(alive.values());
      if (forwarding.containsKey(pack)) {
        // A killed gc wrote the forwarding but did not delete the pack: finish, if it covers what lives.
        if (covered(pack, alive)) {
          deletePacks.add(pack);
          freed += info.size() - liveBytes;
        } else {
          notes.add("pack " + Store.packKey(pack) + " has a forwarding object that does not cover all its live blobs"
              + " (an upload relied on the pack since); it stays");
        }
        continue;
      }
      long dead = info.size() - liveBytes;
      if (dead > 0 && dead >= REPACK_SHARE * info.size()) {
        repack.put(pack, alive.values().stream().sorted(java.util.Comparator.comparingLong(Location::offset)).toList());
        freed += dead;
      }
    }
    Set<Digest> deleteForwarding = new TreeSet<>();
    forwarding.forEach((pack, o) -> {
      // Forwarding outlives the grace period and a plan's lifetime after its pack went: an upload
      // that found the pack present just before it was deleted records it, and finishes in that time.
      if (!needed.contains(pack) && !packs.containsKey(pack) && old.test(o)
          && !o.lastModified().isAfter(cutoff.minus(Leases.PLAN_TTL))) {
        deleteForwarding.add(pack);
      }
    });
    return new Decision(deletePacks, repack, deleteForwarding, deleteRecords, freed, spared);
  }

  private Optional<Moves> readMoves(Digest pack) {
    try {
      return moves.of(pack);
    } catch (IntegrityException e) {
      notes.add("forwarding object " + StoreLayout.moves(pack) + " cannot be read (" + e.getMessage() + "); no pack"
          + " or forwarding object is deleted while it is unreadable. Run ama verify");
      return Optional.empty();
    }
  }

  private void locateYoung(List<Digest> versions, Set<Digest> looseKept) {
    List<Callable<Optional<UploadRecord>>> reads = new ArrayList<>();
    for (Digest v : versions) {
      String key = recordKeys.get(v).key();
      reads.add(() -> {
        try {
          return records.read(key);
        } catch (IntegrityException e) {
          return Optional.empty();
        }
      });
    }
    List<Optional<UploadRecord>> read = tasks.run(reads);
    for (int i = 0; i < versions.size(); i++) {
      located.add(versions.get(i));
      read.get(i).ifPresent(r -> r.blobs().forEach(l -> keep(l, looseKept)));
    }
  }

  private boolean covered(Digest pack, Map<Digest, Location> alive) {
    Optional<Moves> m = moves.of(pack);
    if (m.isEmpty()) {
      return false;
    }
    for (Location l : alive.values()) {
      Location to = m.get().to().get(l.blob());
      if (to == null || to.size() != l.size() || !packs.containsKey(to.pack().orElseThrow())) {
        return false;
      }
    }
    return true;
  }

  private static long distinctBytes(Collection<Location> locations) {
    Map<Long, Long> ranges = new HashMap<>();
    locations.forEach(l -> ranges.merge(l.offset(), l.size(), Math::max));
    return ranges.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Carries out a decision after the manifests are gone: records of removed versions, then the
   * repacks (new packs, then their forwarding objects, then the old packs), then whole dead packs,
   * then forwarding objects nothing needs. {@code run} runs one step's deletions or writes, all
   * before the plan's time runs out.
   *
   * @return the packs written by repacking
   */
  List<Digest> execute(Decision d, Consumer<List<Tasks.Action>> run) {
    run.accept(d.deleteRecords().stream().map(k -> (Tasks.Action) () -> store.delete(k)).toList());
    List<Digest> written = new ArrayList<>();
    Set<Digest> deletable = new TreeSet<>(d.deletePacks());
    if (!d.repack().isEmpty()) {
      Map<Digest, Map<Digest, Location>> forwarded = new LinkedHashMap<>();
      List<Map.Entry<Location, byte[]>> blobs = new ArrayList<>();
      List<Callable<List<Map.Entry<Location, byte[]>>>> reads = new ArrayList<>();
      d.repack().forEach((pack, alive) -> reads.add(() -> readLive(pack, alive)));
      for (List<Map.Entry<Location, byte[]>> one : tasks.run(reads)) {
        blobs.addAll(one);
      }
      // New packs of up to PACK_BYTES, blobs in the order they had: written create-only, named by their bytes.
      List<List<Map.Entry<Location, byte[]>>> groups = new ArrayList<>();
      List<Map.Entry<Location, byte[]>> group = new ArrayList<>();
      long size = 0;
      for (Map.Entry<Location, byte[]> b : blobs) {
        if (size + b.getValue().length > Packs.PACK_BYTES && !group.isEmpty()) {
          groups.add(group);
          group = new ArrayList<>();
          size = 0;
        }
        group.add(b);
        size += b.getValue().length;
      }
      if (!group.isEmpty()) {
        groups.add(group);
      }
      List<Tasks.Action> writes = new ArrayList<>();
      for (List<Map.Entry<Location, byte[]>> g : groups) {
        byte[] bytes = new byte[Math.toIntExact(g.stream().mapToLong(b -> b.getValue().length).sum())];
        int at = 0;
        long[] offsets = new long[g.size()];
        for (int i = 0; i < g.size(); i++) {
          byte[] b = g.get(i).getValue();
          System.arraycopy(b, 0, bytes, at, b.length);
          offsets[i] = at;
          at += b.length;
        }
        Digest pack = Digest.sha256(bytes);
        written.add(pack);
        for (int i = 0; i < g.size(); i++) {
          Location from = g.get(i).getKey();
          forwarded.computeIfAbsent(from.pack().orElseThrow(), p -> new LinkedHashMap<>())
              .put(from.blob(), Location.packed(from.blob(), from.size(), pack, offsets[i]));
        }
        writes.add(() -> store.putIfAbsent(Store.packKey(pack), Content.ofBytes(bytes)));
      }
      run.accept(writes);
      // Forwarding before deleting: a reader finding the old pack gone always finds where its blobs went.
      List<Tasks.Action> forwards = new ArrayList<>();
      for (Map.Entry<Digest, Map<Digest, Location>> f : forwarded.entrySet()) {
        forwards.add(() -> {
          Moves m = new Moves(f.getKey(), f.getValue());
          if (moves.write(m) || moves.of(f.getKey()).filter(x -> x.to().equals(m.to())).isPresent()) {
            synchronized (deletable) {
              deletable.add(f.getKey());
            }
          }
        });
      }
      run.accept(forwards);
    }
    run.accept(deletable.stream().map(p -> (Tasks.Action) () -> store.delete(Store.packKey(p))).toList());
    run.accept(d.deleteForwarding().stream().map(p -> (Tasks.Action) () -> store.delete(StoreLayout.moves(p))).toList());
    return written;
  }

  /** The live blobs of a pack, from one read of it, each checked against its digest. */
  private List<Map.Entry<Location, byte[]>> readLive(Digest pack, List<Location> alive) {
    ObjectInfo info = packs.get(pack);
    try (InputStream in = store.openPack(pack, 0, info.size())) {
      byte[] bytes = in.readNBytes(Math.toIntExact(Math.min(info.size(), Packs.PACK_BYTES * 2)));
      List<Map.Entry<Location, byte[]>> out = new ArrayList<>();
      for (Location l : alive) {
        if (l.offset() + l.size() > bytes.length) {
          throw new IntegrityException("pack " + Store.packKey(pack) + " in " + store.location() + " ends before byte "
              + (l.offset() + l.size()) + " where blob " + l.blob() + " ends; gc did not repack it. Run ama verify");
        }
        byte[] blob = java.util.Arrays.copyOfRange(bytes, Math.toIntExact(l.offset()), Math.toIntExact(l.offset() + l.size()));
        if (!Digest.sha256(blob).equals(l.blob())) {
          throw new IntegrityException("blob " + l.blob() + " in pack " + Store.packKey(pack) + " of " + store.location()
              + " is corrupt, so gc did not repack the pack and deleted none of it. Run ama verify --deep");
        }
        out.add(Map.entry(l, blob));
      }
      return out;
    } catch (IOException e) {
      throw store.failure("read " + Store.packKey(pack) + " to repack it", e);
    }
  }

  /**
   * Superseded content table generations and shards no commit names, once the newest commit is
   * older than the grace period: readers read only the newest commit's shards, and one that read
   * an older commit did so before the newest existed.
   */
  List<String> oldTables(Predicate<ObjectInfo> old) {
    String newest = null;
    ObjectInfo newestInfo = null;
    for (ObjectInfo o : tableObjects) {
      if (o.key().startsWith(StoreLayout.COMMITS_INDEX) && (newest == null || o.key().compareTo(newest) > 0)) {
        newest = o.key();
        newestInfo = o;
      }
    }
    if (newest == null) {
      return List.of();
    }
    long generation = Long.parseLong(StoreLayout.lastSegment(newest).substring(0, 10));
    Set<String> shards = new HashSet<>();
    String key = newest;
    store.readIfExists(key, Store.MAX_MANIFEST_BYTES, "content table commit").map(b -> ContentTable.decodeCommit(b, key))
        .ifPresent(c -> c.shards().forEach((prefix, digest) -> shards.add(StoreLayout.tableShard(c.generation(), prefix, digest))));
    if (shards.isEmpty() || !old.test(newestInfo)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (ObjectInfo o : tableObjects) {
      if (o.key().equals(newest) || shards.contains(o.key()) || !old.test(o)) {
        continue;
      }
      String gen = o.key().startsWith(StoreLayout.COMMITS_INDEX) ? StoreLayout.lastSegment(o.key()).substring(0, 10)
          : o.key().substring(StoreLayout.TABLES_INDEX.length(), StoreLayout.TABLES_INDEX.length() + 10);
      // A commit newer than the newest cannot be listed; shards of a later generation are a killed compaction's.
      if (Long.parseLong(gen) != generation || o.key().startsWith(StoreLayout.TABLES_INDEX)) {
        out.add(o.key());
      }
    }
    return out;
  }
}
