package dev.ama;

import dev.ama.VerifyReport.Affected;
import dev.ama.VerifyReport.Kind;
import dev.ama.VerifyReport.Problem;
import dev.ama.spi.ObjectInfo;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
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
import java.util.stream.Stream;

/**
 * Checks a whole store against what its format promises and reports each broken object with what
 * it breaks. It lists the store once ({@link StoreWalk}) and then reads only what a listing cannot
 * tell: each alias log entry and each manifest that something names, once. Blob existence and size
 * and every index marker are checked against the listing, so a shallow check costs one request per
 * object read plus one per page of keys listed. A deep check also streams every blob through
 * SHA-256 on the client's threads.
 *
 * <p>Read-only unless asked to repair, and then it only writes missing index markers, through
 * {@link StoreIndex}, from the manifests and alias logs that say they should exist.
 */
final class Verifier {
  private static final int MAX_UNRECOGNIZED_SHOWN = 100;
  private static final int MAX_KEYS_IN_MESSAGE = 5;

  private final Store store;
  private final StoreIndex index;
  private final AliasLog aliasLog;
  private final Tasks tasks;
  private final TransferListener listener;

  Verifier(Store store, StoreIndex index, AliasLog aliasLog, Tasks tasks, TransferListener listener) {
    this.store = store;
    this.index = index;
    this.aliasLog = aliasLog;
    this.tasks = tasks;
    this.listener = listener;
  }

  /** An alias log entry's place, for reports: {@code type/alias@seq}. */
  private record EntryRef(String type, String alias, long seq) {
    String typeAlias() {
      return type + "/" + alias;
    }

    @Override
    public String toString() {
      return type + "/" + alias + "@" + seq;
    }
  }

  /** An alias entry read: the entry if intact, else why not. */
  private record EntryRead(String key, Optional<AliasEntry> entry, Optional<AmaException> damage) {}

  /** A manifest read: the version if intact, else why not. */
  private record Read(Digest id, Optional<AssetVersion> version, Optional<String> damage) {}

  /** One run's state; a verifier is shared, a run is not. */
  private final class Run {
    final VerifyOptions options;
    final List<Problem> problems = new ArrayList<>();
    final List<String> unrecognized = new ArrayList<>();
    final Map<Digest, ObjectInfo> blobs = new HashMap<>();
    final Map<Digest, ObjectInfo> manifests = new HashMap<>();
    final Set<String> markerKeys = new HashSet<>();
    /** Versions index markers name, with the keys naming each (a few) and how many. */
    final Map<Digest, List<String>> namedByMarkers = new HashMap<>();
    final Map<Digest, Integer> markerCounts = new HashMap<>();
    final List<StoreWalk.AliasLogKeys> logs = new ArrayList<>();
    final Map<Digest, List<EntryRef>> entriesByVersion = new HashMap<>();
    /** The versions each alias's entries name, by {@code type/alias}. */
    final Map<String, Set<Digest>> targetsByAlias = new HashMap<>();
    final Map<String, Long> heads = new HashMap<>();
    final Map<Digest, AssetVersion> versions = new LinkedHashMap<>();
    final Map<Digest, String> brokenVersions = new HashMap<>();
    final Map<Digest, Set<Digest>> referrers = new HashMap<>();
    final Set<Digest> kept = new HashSet<>();
    /** Versions garbage collection removed or is removing (their collected markers). */
    final Set<Digest> collected = new HashSet<>();
    /** Format 2: the packs listed, and the upload record keys by version. */
    final Map<Digest, ObjectInfo> packs = new HashMap<>();
    final Map<Digest, String> recordKeys = new HashMap<>();
    /** Format 2: the blob locations of the versions read, from their records. */
    final Map<Digest, Map<Digest, UploadRecords.Location>> locations = new HashMap<>();
    int entriesRead;

    Run(VerifyOptions options) {
      this.options = options;
    }
  }

  VerifyReport verify(VerifyOptions options) {
    store.checkReadable();
    Run run = new Run(options);
    list(run);
    readAliasEntries(run);
    readManifests(run);
    Map<Digest, Long> expectedSizes = store.packed() ? checkLocations(run) : checkBlobs(run);
    int hashed = options.deep() ? hashBlobs(run, expectedSizes) + (store.packed() ? hashPacks(run) : 0) : 0;
    checkMarkers(run);
    long blobBytes = expectedSizes.values().stream().mapToLong(Long::longValue).sum();
    VerifyReport.Checked checked = new VerifyReport.Checked(run.logs.size(), run.entriesRead, run.versions.size()
        + run.brokenVersions.size(), expectedSizes.size(), blobBytes, hashed, run.markerKeys.size());
    return new VerifyReport(options.deep(), checked, run.problems, leftovers(run));
  }

  // ---- listing ----

  private void list(Run run) {
    StoreWalk walk = new StoreWalk(store);
    java.util.function.Consumer<ObjectInfo> foreign = o -> run.unrecognized.add(o.key());
    try (Stream<StoreWalk.Stored> s = walk.blobs(foreign)) {
      s.forEach(b -> run.blobs.put(b.id(), b.info()));
    }
    try (Stream<StoreWalk.Stored> s = walk.manifests(foreign)) {
      s.forEach(m -> run.manifests.put(m.id(), m.info()));
    }
    if (store.packed()) {
      try (Stream<StoreWalk.Stored> s = walk.packs(foreign)) {
        s.forEach(p -> run.packs.put(p.id(), p.info()));
      }
    }
    java.util.function.Consumer<ObjectInfo> foreignOrCollected = o -> {
      Optional<Digest> v = collectedVersion(o.key());
      if (v.isPresent()) {
        run.collected.add(v.get());
        run.markerKeys.add(o.key());
      } else {
        foreign.accept(o);
      }
    };
    try (Stream<StoreWalk.Marker> s = walk.markers(foreignOrCollected)) {
      s.forEach(m -> {
        if (m instanceof StoreWalk.UploadRecordKey u) {
          // Written before its manifest: a record without one is a crashed upload's leftover, not a stray.
          run.recordKeys.put(u.version(), u.info().key());
          return;
        }
        run.markerKeys.add(m.info().key());
        namedVersion(m).ifPresent(v -> {
          run.markerCounts.merge(v, 1, Integer::sum);
          List<String> keys = run.namedByMarkers.computeIfAbsent(v, k -> new ArrayList<>());
          if (keys.size() < MAX_KEYS_IN_MESSAGE) {
            keys.add(m.info().key());
          }
        });
      });
    }
    run.logs.addAll(walk.aliasLogs(foreign));
  }

  /**
   * The version a collected marker ({@code index/collected/sha256/<hex>}, docs/store-format.md)
   * names: garbage collection removed it, or was killed removing it, so a missing manifest behind
   * an alias entry is history rather than damage, and missing markers are expected.
   */
  static Optional<Digest> collectedVersion(String key) {
    String prefix = StoreLayout.COLLECTED_INDEX + Digest.SHA256 + "/";
    if (!key.startsWith(prefix)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.sha256Hex(key.substring(prefix.length())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The version whose manifest a marker claims exists, if it names one. */
  private static Optional<Digest> namedVersion(StoreWalk.Marker m) {
    if (m instanceof StoreWalk.VersionMarker v) {
      return Optional.of(v.version());
    }
    if (m instanceof StoreWalk.BlobUse b) {
      return Optional.of(b.version());
    }
    if (m instanceof StoreWalk.RefUse r) {
      // The source is the version written with this marker; its target is checked through the source's refs.
      return Optional.of(r.source());
    }
    if (m instanceof StoreWalk.AliasTarget t) {
      return Optional.of(t.version());
    }
    if (m instanceof StoreWalk.ContentUse c) {
      return Optional.of(c.version());
    }
    return Optional.empty();
  }

  // ---- alias logs ----

  private void readAliasEntries(Run run) {
    List<Callable<EntryRead>> reads = new ArrayList<>();
    for (StoreWalk.AliasLogKeys log : run.logs) {
      long last = log.entries().isEmpty() ? 0 : log.entries().lastKey();
      run.heads.put(log.type() + "/" + log.alias(), last);
      for (long seq = 1; seq <= last; seq++) {
        long n = seq;
        if (!log.entries().containsKey(seq)) {
          String key = StoreLayout.aliasEntry(log.type(), log.alias(), seq);
          run.problems.add(new Problem(Kind.ALIAS_ENTRY_MISSING, key, "alias log entry " + seq + " of "
              + log.type() + "/" + log.alias() + " is missing (" + key + ") though entry " + last + " exists: the log"
              + " was damaged, so its history has a gap and " + log.type() + "/" + log.alias() + "@" + seq
              + " names nothing. Restore the entry from a backup", affectsAlias(log.type(), log.alias()), false));
          continue;
        }
        String key = StoreLayout.aliasEntry(log.type(), log.alias(), n);
        reads.add(() -> {
          try {
            return new EntryRead(key, Optional.of(aliasLog.entry(log.type(), log.alias(), n)), Optional.empty());
          } catch (IntegrityException | NotFoundException e) {
            // Not found: listed a moment ago, gone now.
            return new EntryRead(key, Optional.empty(), Optional.of(e));
          }
        });
      }
    }
    for (EntryRead r : tasks.run(reads)) {
      run.entriesRead++;
      if (r.entry().isPresent()) {
        AliasEntry e = r.entry().get();
        target(e).ifPresent(v -> {
          run.entriesByVersion.computeIfAbsent(v, k -> new ArrayList<>()).add(new EntryRef(e.type(), e.alias(), e.seq()));
          run.targetsByAlias.computeIfAbsent(e.type() + "/" + e.alias(), k -> new TreeSet<>()).add(v);
        });
      } else {
        String[] typeAlias = r.key().substring(StoreLayout.ALIASES.length()).split("/");
        run.problems.add(new Problem(Kind.ALIAS_ENTRY_CORRUPT, r.key(), r.damage().orElseThrow().getMessage()
            + ". The entry cannot be read, so the alias's history has a hole there; restore it from a backup",
            affectsAlias(typeAlias[0], typeAlias[1]), false));
      }
    }
    run.kept.addAll(run.entriesByVersion.keySet());
    run.kept.removeAll(run.collected);
  }

  /**
   * The version an alias entry points at. A removal (a tombstone entry, docs/store-format.md) has
   * none: it is a valid entry that keeps nothing, and only this method needs to know of it.
   */
  private static Optional<Digest> target(AliasEntry e) {
    return e.target();
  }

  // ---- manifests ----

  /**
   * Reads every manifest something names: alias entries and index markers, then refs of what was
   * read, level by level, so each is read once and in parallel.
   */
  private void readManifests(Run run) {
    Set<Digest> seen = new HashSet<>();
    Deque<Digest> frontier = new ArrayDeque<>();
    for (Digest v : run.entriesByVersion.keySet()) {
      if (seen.add(v)) {
        frontier.add(v);
      }
    }
    for (Digest v : run.namedByMarkers.keySet()) {
      // A marker naming a missing manifest is a stray marker, reported with the markers.
      if (run.manifests.containsKey(v) && seen.add(v)) {
        frontier.add(v);
      }
    }
    while (!frontier.isEmpty()) {
      List<Callable<Read>> reads = new ArrayList<>();
      for (Digest id : frontier) {
        if (run.manifests.containsKey(id)) {
          reads.add(() -> read(id));
        } else if (!run.collected.contains(id)) {
          run.brokenVersions.put(id, "missing");
        }
      }
      frontier.clear();
      for (Read r : tasks.run(reads)) {
        if (r.version().isEmpty()) {
          run.brokenVersions.put(r.id(), r.damage().orElseThrow());
          continue;
        }
        AssetVersion v = r.version().get();
        run.versions.put(v.version(), v);
        for (Ref ref : v.refs()) {
          run.referrers.computeIfAbsent(ref.version(), k -> new HashSet<>()).add(v.version());
          if (seen.add(ref.version())) {
            frontier.add(ref.version());
          }
        }
      }
    }
    keepThroughRefs(run);
    for (Map.Entry<Digest, String> broken : new TreeMap<>(run.brokenVersions).entrySet()) {
      Digest id = broken.getKey();
      String key = Store.manifestKey(id);
      Affected affects = affects(run, Set.of(id));
      if (broken.getValue().equals("missing")) {
        run.problems.add(new Problem(Kind.MANIFEST_MISSING, key, "the manifest of version " + id + " is missing ("
            + key + ")" + namedBy(run, id) + ": the store was damaged (objects deleted by hand?). Upload the asset's"
            + " files again to make a new, intact version and move the alias to it, or restore the manifest from a"
            + " backup", affects, false));
      } else {
        run.problems.add(new Problem(Kind.MANIFEST_CORRUPT, key, broken.getValue(), affects, false));
      }
    }
  }

  private Read read(Digest id) {
    Optional<byte[]> bytes = store.readManifestBytes(id);
    if (bytes.isEmpty()) {
      return new Read(id, Optional.empty(), Optional.of("missing"));
    }
    try {
      AssetVersion v = Manifests.read(id, bytes.get(), store.location());
      // Intact and strict is not enough: the id is the digest of the canonical form, and a reader in
      // another language may rely on it (hashing what it would write).
      byte[] canonical = Manifests.canonical(Manifests.JSON.readTree(bytes.get()));
      if (!Arrays.equals(canonical, bytes.get())) {
        return new Read(id, Optional.empty(), Optional.of("manifest " + id + " in " + store.location()
            + " is not canonical JSON (keys sorted, no whitespace, as docs/store-format.md defines): it was not written"
            + " by AMA. Upload the asset's files again to make a new, intact version"));
      }
      return new Read(id, Optional.of(v), Optional.empty());
    } catch (IntegrityException e) {
      return new Read(id, Optional.empty(), Optional.of(e.getMessage()));
    } catch (IOException e) {
      return new Read(id, Optional.empty(), Optional.of("manifest " + id + " is malformed: " + e.getMessage()));
    }
  }

  private static String namedBy(Run run, Digest id) {
    List<EntryRef> entries = run.entriesByVersion.getOrDefault(id, List.of());
    Set<Digest> refs = run.referrers.getOrDefault(id, Set.of());
    List<String> by = new ArrayList<>();
    if (!entries.isEmpty()) {
      by.add("alias entry " + entries.get(0) + (entries.size() > 1 ? " and " + (entries.size() - 1) + " more" : ""));
    }
    if (!refs.isEmpty()) {
      by.add("a ref of version " + refs.iterator().next() + (refs.size() > 1 ? " and " + (refs.size() - 1) + " more" : ""));
    }
    return by.isEmpty() ? "" : ", though " + String.join(" and ", by) + " names it";
  }

  /** Everything kept versions ref is kept too. */
  private static void keepThroughRefs(Run run) {
    Deque<Digest> todo = new ArrayDeque<>(run.kept);
    while (!todo.isEmpty()) {
      AssetVersion v = run.versions.get(todo.pop());
      if (v != null) {
        for (Ref r : v.refs()) {
          if (run.kept.add(r.version())) {
            todo.add(r.version());
          }
        }
      }
    }
  }

  // ---- blobs ----

  /** Checks each listed file's blob against the listing; returns the blobs checked and their sizes. */
  private Map<Digest, Long> checkBlobs(Run run) {
    Map<Digest, Long> expected = new LinkedHashMap<>();
    Map<Digest, Set<Digest>> holders = new LinkedHashMap<>();
    for (AssetVersion v : run.versions.values()) {
      for (AssetFile f : v.files()) {
        expected.putIfAbsent(f.digest(), f.size());
        holders.computeIfAbsent(f.digest(), k -> new TreeSet<>()).add(v.version());
      }
    }
    for (Map.Entry<Digest, Long> e : expected.entrySet()) {
      Digest d = e.getKey();
      String key = Store.blobKey(d);
      ObjectInfo info = run.blobs.get(d);
      Set<Digest> users = holders.get(d);
      if (info == null) {
        run.problems.add(new Problem(Kind.BLOB_MISSING, key, "blob " + d + " is missing (" + key + "); "
            + users.size() + " version(s) list it. The store was damaged (objects deleted by hand?); upload the"
            + " asset's files again to restore it", affects(run, users), false));
      } else if (info.size() != e.getValue()) {
        run.problems.add(new Problem(Kind.BLOB_WRONG_SIZE, key, "blob " + d + " (" + key + ") holds " + info.size()
            + " bytes, but its versions list " + e.getValue() + " (truncated or replaced). " + store.blobRepairHint(d),
            affects(run, users), false));
      }
    }
    return expected;
  }

  /**
   * Format 2: checks each read version's upload record and every location in it against the
   * listing (a packed blob's pack exists and is long enough, a loose blob is there at its size);
   * returns the loose blobs checked and their sizes, for the deep check.
   */
  private Map<Digest, Long> checkLocations(Run run) {
    UploadRecords records = new UploadRecords(store);
    PackMoves moves = new PackMoves(store);
    List<Callable<Optional<Problem>>> reads = new ArrayList<>();
    for (AssetVersion v : run.versions.values()) {
      reads.add(() -> readRecord(run, records, moves, v));
    }
    tasks.run(reads).forEach(p -> p.ifPresent(run.problems::add));
    Map<Digest, Long> loose = new LinkedHashMap<>();
    Map<String, Set<Digest>> missing = new TreeMap<>();
    Map<String, String> messages = new HashMap<>();
    for (AssetVersion v : run.versions.values()) {
      Map<Digest, UploadRecords.Location> at = run.locations.get(v.version());
      if (at == null) {
        continue;
      }
      for (AssetFile f : v.files()) {
        UploadRecords.Location l = at.get(f.digest());
        String problem;
        String key;
        if (l == null) {
          key = StoreLayout.uploadRecord(v.createdAt(), v.version());
          problem = "the upload record " + key + " does not say where blob " + f.digest() + " of '" + f.path() + "' lives";
        } else if (l.pack().isPresent()) {
          key = Store.packKey(l.pack().get());
          ObjectInfo pack = run.packs.get(l.pack().get());
          problem = pack == null ? "pack " + key + ", which holds blob " + f.digest() + " of '" + f.path() + "', is missing"
              : pack.size() < l.offset() + f.size() ? "pack " + key + " holds " + pack.size() + " bytes, but blob "
                  + f.digest() + " of '" + f.path() + "' lies at bytes " + l.offset() + " to " + (l.offset() + f.size())
                  + " of it (truncated or replaced)" : null;
        } else {
          key = Store.blobKey(f.digest());
          loose.putIfAbsent(f.digest(), f.size());
          ObjectInfo blob = run.blobs.get(f.digest());
          problem = blob == null ? "blob " + f.digest() + " is missing (" + key + ")"
              : blob.size() != f.size() ? "blob " + f.digest() + " (" + key + ") holds " + blob.size() + " bytes, but its"
                  + " versions list " + f.size() + " (truncated or replaced)" : null;
        }
        if (problem != null) {
          missing.computeIfAbsent(key, k -> new TreeSet<>()).add(v.version());
          messages.putIfAbsent(key, problem);
        }
      }
    }
    missing.forEach((key, users) -> run.problems.add(new Problem(
        key.startsWith(Store.PACKS) && messages.get(key).contains("truncated") ? Kind.BLOB_WRONG_SIZE : Kind.BLOB_MISSING,
        key, messages.get(key) + "; " + users.size() + " version(s) need it. The store was damaged (objects deleted by"
        + " hand?); restore it from a backup", affects(run, users), false)));
    return loose;
  }

  private Optional<Problem> readRecord(Run run, UploadRecords records, PackMoves moves, AssetVersion v) {
    String key = StoreLayout.uploadRecord(v.createdAt(), v.version());
    try {
      Optional<UploadRecords.UploadRecord> r = run.recordKeys.containsKey(v.version()) ? records.read(key) : Optional.empty();
      if (r.isEmpty() && v.files().stream().allMatch(f -> run.blobs.containsKey(f.digest()))) {
        // Written the format 1 way by a client that read the marker before a migration switched it:
        // readable from its loose blobs (checked as such below), but find by content misses it.
        Map<Digest, UploadRecords.Location> loose = new LinkedHashMap<>();
        v.files().forEach(f -> loose.putIfAbsent(f.digest(), UploadRecords.Location.loose(f.digest(), f.size())));
        synchronized (run.locations) {
          run.locations.put(v.version(), loose);
        }
        return Optional.of(new Problem(Kind.MARKER_MISSING, key, "version " + v.version() + " (" + v.type() + ") has no"
            + " upload record (" + key + "): it was written the format 1 way, by a client that opened the store before"
            + " 'ama migrate' switched it to format 2. It downloads from its loose blobs, but find by content misses it;"
            + " run 'ama migrate --yes' to write its record", affects(run, Set.of(v.version())), false));
      }
      if (r.isEmpty() || !r.get().version().equals(v.version())) {
        return Optional.of(new Problem(Kind.BLOB_MISSING, key, "version " + v.version() + " (" + v.type() + ") has no"
            + " upload record (" + key + "), so where its blobs live is unknown and it cannot be downloaded. The store was"
            + " damaged (objects deleted by hand?); restore the record from a backup", affects(run, Set.of(v.version())),
            false));
      }
      // A pack gc repacked is gone; its forwarding object says where each blob lives now, as readers follow it.
      Map<Digest, UploadRecords.Location> at = new LinkedHashMap<>();
      r.get().byBlob().forEach((blob, l) -> at.put(blob, moves.follow(l, run.packs::containsKey).orElse(l)));
      synchronized (run.locations) {
        run.locations.put(v.version(), at);
      }
      return Optional.empty();
    } catch (IntegrityException e) {
      return Optional.of(new Problem(Kind.BLOB_MISSING, key, e.getMessage(), affects(run, Set.of(v.version())), false));
    }
  }

  /**
   * Format 2, deep: hashes every listed pack whole against its name, and every blob its versions
   * locate in it against the blob's digest, reading each pack once.
   */
  private int hashPacks(Run run) {
    Map<Digest, Map<Digest, UploadRecords.Location>> byPack = new TreeMap<>();
    Map<Digest, Set<Digest>> users = new HashMap<>();
    run.locations.forEach((version, at) -> at.values().forEach(l -> l.pack().ifPresent(p -> {
      byPack.computeIfAbsent(p, k -> new TreeMap<>()).put(l.blob(), l);
      users.computeIfAbsent(p, k -> new TreeSet<>()).add(version);
    })));
    long bytes = run.packs.values().stream().mapToLong(ObjectInfo::size).sum();
    listener.started(TransferListener.Phase.VERIFYING, run.packs.size(), bytes);
    List<Callable<List<Problem>>> hashes = new ArrayList<>();
    for (Map.Entry<Digest, ObjectInfo> p : new TreeMap<>(run.packs).entrySet()) {
      Set<Digest> needing = users.getOrDefault(p.getKey(), Set.of());
      hashes.add(() -> hashPack(run, p.getKey(), p.getValue(), byPack.getOrDefault(p.getKey(), Map.of()), needing));
    }
    try {
      tasks.run(hashes).forEach(run.problems::addAll);
    } finally {
      listener.finished(TransferListener.Phase.VERIFYING);
    }
    return run.packs.size();
  }

  private List<Problem> hashPack(Run run, Digest pack, ObjectInfo info, Map<Digest, UploadRecords.Location> blobs,
      Set<Digest> users) throws IOException {
    String key = Store.packKey(pack);
    List<Problem> out = new ArrayList<>();
    java.security.MessageDigest whole = Digest.newSha256();
    try (InputStream in = new CountingStream(store.openPack(pack, 0, info.size()))) {
      // Blobs in offset order, each hashed on the way through the one read of the pack.
      long at = 0;
      List<UploadRecords.Location> ordered = blobs.values().stream()
          .sorted(java.util.Comparator.comparingLong(UploadRecords.Location::offset)).toList();
      for (UploadRecords.Location l : ordered) {
        if (l.offset() < at || l.offset() + l.size() > info.size()) {
          continue; // overlapping or out of range: reported by the shallow check, or not a layout AMA writes
        }
        byte[] gap = in.readNBytes((int) (l.offset() - at));
        whole.update(gap);
        byte[] blob = in.readNBytes(Math.toIntExact(l.size()));
        whole.update(blob);
        at = l.offset() + l.size();
        Digest actual = Digest.sha256(blob);
        if (!actual.equals(l.blob())) {
          out.add(new Problem(Kind.BLOB_CORRUPT, key, "blob " + l.blob() + " in pack " + key + " (bytes " + l.offset()
              + " to " + at + ") is corrupt: they hash to " + actual + ". Restore the pack from a backup",
              affects(run, users), false));
        }
      }
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        whole.update(buffer, 0, n);
      }
    } catch (IntegrityException e) {
      // Listed a moment ago, gone now: deleted while verify ran.
      return List.of(new Problem(Kind.BLOB_MISSING, key, e.getMessage(), affects(run, users), false));
    } finally {
      listener.fileDone(TransferListener.Phase.VERIFYING, key, false);
    }
    Digest actual = Digest.sha256Hex(java.util.HexFormat.of().formatHex(whole.digest()));
    if (!actual.equals(pack) && out.isEmpty()) {
      out.add(new Problem(Kind.BLOB_CORRUPT, key, "pack " + key + " is corrupt: its bytes hash to " + actual
          + (users.isEmpty() ? "; no version locates a blob in it" : "") + ". Restore it from a backup",
          affects(run, users), false));
    }
    return out;
  }

  /**
   * Re-hashes every listed blob whose size is right, unreferenced ones too: an upload reuses a
   * stored blob without reading it, so a corrupt leftover would spoil the next version holding
   * those bytes.
   */
  private int hashBlobs(Run run, Map<Digest, Long> expected) {
    Map<Digest, Set<Digest>> holders = new HashMap<>();
    for (AssetVersion v : run.versions.values()) {
      v.files().forEach(f -> holders.computeIfAbsent(f.digest(), k -> new HashSet<>()).add(v.version()));
    }
    List<Digest> todo = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<Digest, ObjectInfo> b : new TreeMap<>(run.blobs).entrySet()) {
      Long size = expected.get(b.getKey());
      if (size == null || size == b.getValue().size()) {
        todo.add(b.getKey());
        bytes += b.getValue().size();
      }
    }
    listener.started(TransferListener.Phase.VERIFYING, todo.size(), bytes);
    List<Callable<Optional<Problem>>> hashes = new ArrayList<>();
    for (Digest d : todo) {
      hashes.add(() -> hash(run, d, holders.getOrDefault(d, Set.of())));
    }
    try {
      tasks.run(hashes).forEach(p -> p.ifPresent(run.problems::add));
    } finally {
      listener.finished(TransferListener.Phase.VERIFYING);
    }
    return todo.size();
  }

  private Optional<Problem> hash(Run run, Digest d, Set<Digest> users) throws IOException {
    String key = Store.blobKey(d);
    Digest actual;
    try (InputStream in = new CountingStream(store.openBlob(d))) {
      actual = HashingInputStream.sha256(in);
    } catch (IntegrityException e) {
      // Listed a moment ago, gone now: deleted while verify ran.
      return Optional.of(new Problem(Kind.BLOB_MISSING, key, e.getMessage(), affects(run, users), false));
    } finally {
      listener.fileDone(TransferListener.Phase.VERIFYING, key, false);
    }
    if (actual.equals(d)) {
      return Optional.empty();
    }
    return Optional.of(new Problem(Kind.BLOB_CORRUPT, key, "blob " + d + " (" + key + ") is corrupt: its bytes hash"
        + " to " + actual + (users.isEmpty() ? "; no version lists it, but an upload of those bytes would reuse it" : "")
        + ". " + store.blobRepairHint(d), affects(run, users), false));
  }

  /** Reports the bytes read to the listener, for progress. */
  private final class CountingStream extends java.io.FilterInputStream {
    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        listener.transferred(TransferListener.Phase.VERIFYING, n);
      }
      return n;
    }
  }

  // ---- index markers ----

  private void checkMarkers(Run run) {
    for (AssetVersion v : run.versions.values()) {
      // An upload that died while writing its markers leaves a version with some of them and no alias
      // entry, as does a gc killed while removing one: not damage, only what gc collects.
      if (!run.kept.contains(v.version())) {
        continue;
      }
      List<String> expected = new ArrayList<>();
      expected.add(StoreLayout.typeMarker(v.type()));
      expected.add(StoreLayout.versionMarker(v.type(), v.createdAt(), v.version()));
      if (store.packed()) {
        expected.add(StoreLayout.contentUse(Publisher.identityOf(v), v.version()));
      } else {
        v.files().stream().map(AssetFile::digest).distinct().forEach(d -> expected.add(StoreLayout.blobUse(d, v.version())));
      }
      v.refs().forEach(r -> expected.add(StoreLayout.refUse(r.version(), v.version())));
      List<String> missing = expected.stream().filter(k -> !run.markerKeys.contains(k)).toList();
      if (missing.isEmpty()) {
        continue;
      }
      boolean repaired = false;
      if (run.options.repair() && store.packed()) {
        index.markPackedVersion(v.type(), v.createdAt(), v.version(), Publisher.identityOf(v), v.refs(), false);
        repaired = true;
      } else if (run.options.repair()) {
        index.markVersion(v.type(), v.createdAt(), v.version(),
            v.files().stream().map(AssetFile::digest).distinct().toList(), v.refs());
        repaired = true;
      }
      run.problems.add(new Problem(Kind.MARKER_MISSING, missing.get(0), missing.size() + " index marker(s) of version "
          + v.version() + " (" + v.type() + ") are missing: " + keys(missing) + ". Listings, find and lineage miss it; "
          + (repaired ? "they were written again" : "'ama verify --repair' writes them from the manifest"),
          affects(run, Set.of(v.version())), repaired));
    }
    for (StoreWalk.AliasLogKeys log : run.logs) {
      if (log.entries().isEmpty()) {
        continue;
      }
      Set<Digest> targets = run.targetsByAlias.getOrDefault(log.type() + "/" + log.alias(), Set.of());
      List<String> missing = new ArrayList<>();
      List<Digest> unmarked = new ArrayList<>();
      if (!run.markerKeys.contains(StoreLayout.aliasMarker(log.type(), log.alias()))) {
        missing.add(StoreLayout.aliasMarker(log.type(), log.alias()));
      }
      for (Digest v : targets) {
        // A target whose manifest is missing stays unmarked: the marker would point at nothing. One
        // that gc marked collected loses its markers before its manifest (docs/gc.md), so a gc
        // killed in between leaves it unmarked, which is no damage.
        if (run.versions.containsKey(v) && !run.collected.contains(v)
            && !run.markerKeys.contains(StoreLayout.aliasTarget(v, log.type(), log.alias()))) {
          missing.add(StoreLayout.aliasTarget(v, log.type(), log.alias()));
          unmarked.add(v);
        }
      }
      if (missing.isEmpty()) {
        continue;
      }
      boolean repaired = false;
      if (run.options.repair() && (!unmarked.isEmpty() || !targets.isEmpty())) {
        for (Digest v : unmarked.isEmpty() ? List.of(targets.iterator().next()) : unmarked) {
          index.markAlias(log.type(), log.alias(), v);
        }
        repaired = true;
      }
      run.problems.add(new Problem(Kind.MARKER_MISSING, missing.get(0), missing.size() + " index marker(s) of alias "
          + log.type() + "/" + log.alias() + " are missing: " + keys(missing) + ". 'ama ls' and the aliases of a version"
          + " miss it; " + (repaired ? "they were written again" : "'ama verify --repair' writes them from the alias log"),
          affectsAlias(log.type(), log.alias()), repaired));
    }
    for (Map.Entry<Digest, List<String>> named : new TreeMap<>(run.namedByMarkers).entrySet()) {
      Digest v = named.getKey();
      if (run.manifests.containsKey(v) || run.brokenVersions.containsKey(v)) {
        continue;
      }
      int count = run.markerCounts.get(v);
      run.problems.add(new Problem(Kind.STRAY_MARKERS, named.getValue().get(0), count + " index marker(s) name version "
          + v + ", whose manifest " + Store.manifestKey(v) + " does not exist: " + keys(named.getValue())
          + (count > named.getValue().size() ? " and " + (count - named.getValue().size()) + " more" : "")
          + ". Find and lineage may fail on it; restore the manifest from a backup, or delete the markers (gc does)",
          Affected.NOTHING, false));
    }
  }

  private static String keys(List<String> keys) {
    return String.join(", ", keys.subList(0, Math.min(keys.size(), MAX_KEYS_IN_MESSAGE)))
        + (keys.size() > MAX_KEYS_IN_MESSAGE ? " and " + (keys.size() - MAX_KEYS_IN_MESSAGE) + " more" : "");
  }

  // ---- what a problem affects ----

  /** The versions given and those that ref them, transitively, and the alias entries naming any. */
  private static Affected affects(Run run, Collection<Digest> broken) {
    Set<Digest> versions = new TreeSet<>(broken);
    Deque<Digest> todo = new ArrayDeque<>(broken);
    while (!todo.isEmpty()) {
      for (Digest r : run.referrers.getOrDefault(todo.pop(), Set.of())) {
        if (versions.add(r)) {
          todo.add(r);
        }
      }
    }
    Set<String> aliases = new TreeSet<>();
    List<EntryRef> entries = new ArrayList<>();
    for (Digest v : versions) {
      for (EntryRef e : run.entriesByVersion.getOrDefault(v, List.of())) {
        entries.add(e);
        if (run.heads.getOrDefault(e.typeAlias(), 0L) == e.seq()) {
          aliases.add(e.typeAlias());
        }
      }
    }
    entries.sort(java.util.Comparator.comparing(EntryRef::typeAlias).thenComparingLong(EntryRef::seq));
    return new Affected(List.copyOf(aliases), entries.stream().map(EntryRef::toString).toList(), List.copyOf(versions));
  }

  private static Affected affectsAlias(String type, String alias) {
    return new Affected(List.of(type + "/" + alias), List.of(), List.of());
  }

  // ---- leftovers ----

  private VerifyReport.Leftovers leftovers(Run run) {
    int manifests = 0;
    long manifestBytes = 0;
    for (Map.Entry<Digest, ObjectInfo> m : run.manifests.entrySet()) {
      if (!run.kept.contains(m.getKey())) {
        manifests++;
        manifestBytes += m.getValue().size();
      }
    }
    Set<Digest> keptBlobs = new HashSet<>();
    for (Digest v : run.kept) {
      AssetVersion version = run.versions.get(v);
      if (version != null) {
        version.files().forEach(f -> keptBlobs.add(f.digest()));
      }
    }
    int blobs = 0;
    long blobBytes = 0;
    for (Map.Entry<Digest, ObjectInfo> b : run.blobs.entrySet()) {
      if (!keptBlobs.contains(b.getKey())) {
        blobs++;
        blobBytes += b.getValue().size();
      }
    }
    Set<Digest> keptPacks = new HashSet<>();
    run.locations.forEach((v, at) -> {
      if (run.kept.contains(v)) {
        at.values().forEach(l -> l.pack().ifPresent(keptPacks::add));
      }
    });
    for (Map.Entry<Digest, ObjectInfo> p : run.packs.entrySet()) {
      if (!keptPacks.contains(p.getKey())) {
        blobs++;
        blobBytes += p.getValue().size();
      }
    }
    FileSystemStorage.Temporaries temps = temporaries();
    List<String> foreign = run.unrecognized.stream().sorted().limit(MAX_UNRECOGNIZED_SHOWN).toList();
    return new VerifyReport.Leftovers(manifests, manifestBytes, blobs, blobBytes, temps.files(), temps.bytes(),
        foreign, run.unrecognized.size());
  }

  private FileSystemStorage.Temporaries temporaries() {
    if (store.storage() instanceof FileSystemStorage fs) {
      try {
        return fs.temporaryFiles();
      } catch (IOException e) {
        throw store.failure("list the temporary files", e);
      }
    }
    return new FileSystemStorage.Temporaries(0, 0);
  }
}
