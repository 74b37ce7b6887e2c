package dev.ama;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection: removes the manifests, blobs and index markers that nothing keeps. The
 * safety argument is docs/gc.md; in short:
 *
 * <ol>
 *   <li>ages are measured by the store's own clock (a probe object written now), and a store whose
 *       times cannot be trusted is refused;
 *   <li>mark: the versions alias log entries keep (by policy), then everything that must survive:
 *       those, every manifest younger than the grace period, every manifest an upload leased, and
 *       what all of them ref, transitively; the blobs they list, young blobs and leased blobs;
 *   <li>the plan naming what may be deleted is written before leases and alias logs are read
 *       again, so an upload either is seen here or sees the plan ({@link Leases});
 *   <li>deletes in an order that keeps every surviving object's references intact at every
 *       moment: "collected" markers, then index markers, then manifests (referrers first), then
 *       blobs, and only within the plan's time.
 * </ol>
 */
final class Collector {
  private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
  private static final Content EMPTY = Content.ofBytes(new byte[0]);
  /** How far a store's listed and stat'ed times, or two reads of one time, may differ. */
  private static final Duration TIME_TOLERANCE = Duration.ofMinutes(1);
  /** Before this, a store's clock is plainly not set (epoch 0 or thereabouts). */
  private static final Instant PLAUSIBLE = Instant.parse("2000-01-01T00:00:00Z");

  private final Store store;
  private final AliasLog aliases;
  private final Leases leases;
  private final Tasks tasks;
  private final Clock clock;

  Collector(Store store, AliasLog aliases, Leases leases, Tasks tasks, Clock clock) {
    this.store = store;
    this.aliases = aliases;
    this.leases = leases;
    this.tasks = tasks;
    this.clock = clock;
  }

  private record TypeAlias(String type, String alias) {}

  /** What one run knows; filled step by step. */
  private final class Run {
    final GcOptions options;
    final String id = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant())
        + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    final String probeKey = StoreLayout.GC_PROBES + id;
    final String planKey = StoreLayout.GC_PLANS + id + ".json";
    final List<String> notes = new ArrayList<>();
    Instant now;
    Instant cutoff;
    Instant storeBorn;
    Instant probeTime;
    final Set<String> entryKeys = new HashSet<>();
    final Set<Digest> named = new HashSet<>();
    final Set<Digest> roots = new HashSet<>();
    final Map<Digest, AssetVersion> survivors = new ConcurrentHashMap<>();
    final Set<Digest> unreadable = ConcurrentHashMap.newKeySet();
    final Set<Digest> keptBlobs = new HashSet<>();
    Map<Digest, ObjectInfo> manifests;
    Map<Digest, ObjectInfo> blobs;
    List<ObjectInfo> markers;
    final Set<Digest> keptByPolicy = new HashSet<>();
    final Set<Digest> blobsKeptByPolicy = new HashSet<>();
    /** Format 2: what the store holds beyond format 1, and where the surviving versions' blobs live. */
    final Repacking packs;

    /** Remembers what the policy keeps (as opposed to what is only spared), for the report. */
    void policyMarked() {
      keptByPolicy.addAll(survivors.keySet());
      blobsKeptByPolicy.addAll(keptBlobs);
      if (packs != null) {
        packs.policyMarked();
      }
    }

    Run(GcOptions options) {
      this.options = options;
      this.packs = store.packed() ? new Repacking(store, tasks) : null;
    }

    boolean future(ObjectInfo o) {
      return o.lastModified().isAfter(now.plus(TIME_TOLERANCE));
    }

    /** Nothing in a store is older than its format marker, the first object ever written. */
    boolean suspect(ObjectInfo o) {
      return o.lastModified().isBefore(storeBorn.minus(TIME_TOLERANCE));
    }

    /** Older than the grace period by the store's clock, with a time that can be believed. */
    boolean old(ObjectInfo o) {
      return !future(o) && !suspect(o) && !o.lastModified().isAfter(cutoff);
    }
  }

  GcReport collect(GcOptions options) {
    store.checkReadable();
    if (!store.canList()) {
      throw new InvalidInputException("store " + store.location() + " cannot list objects, which gc needs to find"
          + " what nothing keeps. Run gc against the store itself rather than a mirror");
    }
    if (!store.reportsModificationTimes()) {
      // Without true write times, the grace period cannot tell an upload in progress from garbage.
      throw new InvalidInputException("store " + store.location() + " says it cannot report when its objects were"
          + " written (its backend does not declare MODIFICATION_TIMES), and gc's grace period measures ages with"
          + " those times; gc deleted nothing. Run gc through a backend that reports modification times");
    }
    Run run = new Run(options);
    store.putIfAbsent(run.probeKey, EMPTY);
    try {
      readClock(run);
      mark(run);
      inventory(run);
      survive(run, run.roots);
      run.policyMarked();
      sparedByAgeOrLease(run);
      Set<Digest> doomedManifests = doomedManifests(run);
      Repacking.Decision packs = decidePacks(run, doomedManifests);
      Set<Digest> doomedBlobs = doomedBlobs(run);
      if (!options.delete() || (doomedManifests.isEmpty() && doomedBlobs.isEmpty() && packs.planned().isEmpty()
          && packs.deleteRecords().isEmpty())) {
        return report(run, false, true, doomedManifests, doomedBlobs, doomedMarkers(run, doomedManifests), packs);
      }
      return delete(run, doomedManifests, doomedBlobs, packs);
    } finally {
      quietly(() -> store.delete(run.planKey));
      quietly(() -> store.delete(run.probeKey));
    }
  }

  // ---- 1. the store's clock ----

  /**
   * The store's time now, from a probe written now, read back through a listing (which is where
   * every other object's time comes from) and a stat. Ages are differences of the store's own
   * times, so this machine's clock being wrong cannot make a young object look old.
   */
  private void readClock(Run run) {
    ObjectInfo listed = listOne(run.probeKey).orElseThrow(() -> new StoreException("store " + store.location()
        + " does not list " + run.probeKey + ", which gc has just written: its listings lag behind its writes, and gc"
        + " cannot tell what uploads wrote meanwhile, so it deleted nothing. gc needs a store whose listings show"
        + " every object written before the listing began (S3, GCS and filesystems do)"));
    Instant stat = store.stat(run.probeKey).map(ObjectInfo::lastModified).orElse(listed.lastModified());
    Instant born = store.stat(Store.FORMAT_MARKER).map(ObjectInfo::lastModified).orElse(listed.lastModified());
    Instant mine = clock.instant();
    if (listed.lastModified().isBefore(PLAUSIBLE) || listed.lastModified().isBefore(born.minus(TIME_TOLERANCE))) {
      throw untrustworthy("reports the modification time " + listed.lastModified() + " for an object written just now"
          + (listed.lastModified().isBefore(born) ? ", before the store itself was created (" + born + ")" : ""));
    }
    if (Duration.between(stat, listed.lastModified()).abs().compareTo(TIME_TOLERANCE) > 0) {
      throw untrustworthy("reports " + listed.lastModified() + " in listings but " + stat
          + " when asked directly for one object written just now");
    }
    Duration skew = Duration.between(mine, listed.lastModified());
    if (skew.abs().compareTo(TIME_TOLERANCE) > 0) {
      run.notes.add("the store's clock differs from this machine's by " + describe(skew) + " (store "
          + listed.lastModified() + ", here " + mine + "); ages are measured by the store's clock, so this is safe");
    }
    run.probeTime = listed.lastModified();
    run.now = listed.lastModified();
    run.storeBorn = born;
    run.cutoff = run.now.minus(run.options.grace());
  }

  /** Refuses a store whose times would let gc mistake a young object for an old one. */
  private StoreException untrustworthy(String what) {
    return new StoreException("store " + store.location() + " " + what + ", so its modification times cannot tell"
        + " young objects from old ones; gc deleted nothing. Fix the backend's times (a custom backend must report"
        + " when each object was written, or Instant.now() if it cannot tell) and run gc again");
  }

  /** Checks, before deleting, that the probe's time has not changed: a store must not report read times. */
  private void recheckClock(Run run) {
    Optional<ObjectInfo> again = listOne(run.probeKey);
    if (again.isEmpty() || Duration.between(run.probeTime, again.get().lastModified()).abs().compareTo(Duration.ofSeconds(1)) > 0) {
      throw untrustworthy("reported " + run.probeTime + " and then " + again.map(ObjectInfo::lastModified)
          .map(Instant::toString).orElse("nothing") + " as the modification time of one unchanged object");
    }
  }

  private Optional<ObjectInfo> listOne(String key) {
    try (Stream<ObjectInfo> s = store.list(key)) {
      return s.filter(o -> o.key().equals(key)).findFirst();
    }
  }

  // ---- 2. mark ----

  /** Reads every alias log entry and keeps, as roots, the versions the policy keeps. */
  private void mark(Run run) {
    Map<TypeAlias, TreeSet<Long>> logs = aliasLogs(run.entryKeys);
    List<Callable<List<AliasEntry>>> reads = new ArrayList<>();
    logs.forEach((ta, seqs) -> reads.add(() -> {
      List<AliasEntry> out = new ArrayList<>();
      for (long seq : seqs) {
        out.add(aliases.entry(ta.type(), ta.alias(), seq));
      }
      return out;
    }));
    for (List<AliasEntry> log : tasks.run(reads)) {
      long last = log.get(log.size() - 1).seq();
      for (AliasEntry e : log) {
        // A removal (tombstone) names no version, so it keeps nothing; the entries before it do.
        if (e.target().isEmpty()) {
          continue;
        }
        run.named.add(e.target().get());
        if (run.options.keeps(e.seq(), last, e.at())) {
          run.roots.add(e.target().get());
        }
      }
    }
  }

  /** Every alias log entry's position, from one listing of {@code aliases/}. */
  private Map<TypeAlias, TreeSet<Long>> aliasLogs(Set<String> seen) {
    Map<TypeAlias, TreeSet<Long>> logs = new TreeMap<>((a, b) ->
        a.type().equals(b.type()) ? a.alias().compareTo(b.alias()) : a.type().compareTo(b.type()));
    try (Stream<ObjectInfo> s = store.list(StoreLayout.ALIASES)) {
      s.forEach(o -> {
        String[] parts = o.key().substring(StoreLayout.ALIASES.length()).split("/");
        if (parts.length == 3 && parts[2].matches("[0-9]{10}\\.json")) {
          seen.add(o.key());
          logs.computeIfAbsent(new TypeAlias(parts[0], parts[1]), x -> new TreeSet<>())
              .add(Long.parseLong(parts[2].substring(0, 10)));
        }
      });
    }
    return logs;
  }

  // ---- 3. what the store holds ----

  private void inventory(Run run) {
    run.manifests = new LinkedHashMap<>();
    run.blobs = new LinkedHashMap<>();
    try (Stream<ObjectInfo> s = store.list("manifests/")) {
      s.forEach(o -> digestOfManifest(o.key()).ifPresent(d -> run.manifests.put(d, o)));
    }
    try (Stream<ObjectInfo> s = store.list("blobs/")) {
      s.forEach(o -> digestOfBlob(o.key()).ifPresent(d -> run.blobs.put(d, o)));
    }
    try (Stream<ObjectInfo> s = store.list(StoreLayout.INDEX)) {
      run.markers = new ArrayList<>(s.toList());
    }
    if (run.packs != null) {
      run.packs.inventory(run.markers);
    }
    // A version's signatures go with it, as its index markers do: kept while it is, removed before its manifest.
    try (Stream<ObjectInfo> s = store.list(StoreLayout.SIGNATURES)) {
      s.forEach(run.markers::add);
    }
  }

  private static Optional<Digest> digestOfManifest(String key) {
    String name = StoreLayout.lastSegment(key);
    if (!key.startsWith("manifests/sha256/") || !name.matches("[0-9a-f]{64}\\.json")) {
      return Optional.empty();
    }
    return Optional.of(Digest.sha256Hex(name.substring(0, 64)));
  }

  private static Optional<Digest> digestOfBlob(String key) {
    String name = StoreLayout.lastSegment(key);
    return key.startsWith("blobs/sha256/") && name.matches("[0-9a-f]{64}") ? Optional.of(Digest.sha256Hex(name)) : Optional.empty();
  }

  // ---- 4. what must survive ----

  /**
   * Adds versions and everything they ref, transitively, to the survivors, reading each manifest
   * once (in parallel, layer by layer). A manifest that cannot be read is remembered: its blobs are
   * unknown, so no blob is deleted in this run.
   */
  private void survive(Run run, Collection<Digest> versions) {
    Set<Digest> layer = new HashSet<>(versions);
    layer.removeAll(run.survivors.keySet());
    layer.removeAll(run.unreadable);
    while (!layer.isEmpty()) {
      List<Callable<Optional<AssetVersion>>> reads = new ArrayList<>();
      for (Digest d : layer) {
        reads.add(() -> readManifest(run, d));
      }
      Set<Digest> next = new HashSet<>();
      for (Optional<AssetVersion> v : tasks.run(reads)) {
        v.ifPresent(version -> {
          run.survivors.put(version.version(), version);
          if (run.packs == null) {
            version.files().forEach(f -> run.keptBlobs.add(f.digest()));
          }
          version.refs().forEach(r -> next.add(r.version()));
        });
      }
      next.removeAll(run.survivors.keySet());
      next.removeAll(run.unreadable);
      layer = next;
    }
    if (run.packs != null) {
      // Format 2: a surviving version keeps its blobs where its record says they live.
      run.packs.locate(run.survivors.values(), run.keptBlobs);
    }
  }

  private Optional<AssetVersion> readManifest(Run run, Digest d) {
    Optional<byte[]> bytes = store.readManifestBytes(d);
    if (bytes.isEmpty()) {
      if (!store.stat(StoreLayout.collected(d)).isPresent()) {
        synchronized (run.notes) {
          run.notes.add("version " + d + " is kept (an alias entry or a ref names it) but its manifest is missing:"
              + " the store was damaged. Run ama verify");
        }
      }
      return Optional.empty();
    }
    try {
      return Optional.of(Manifests.read(d, bytes.get(), store.location()));
    } catch (IntegrityException e) {
      run.unreadable.add(d);
      synchronized (run.notes) {
        run.notes.add("version " + d + " is kept but its manifest cannot be read (" + e.getMessage() + "); no blob is"
            + " deleted while it is unreadable, since its files are unknown. Run ama verify");
      }
      return Optional.empty();
    }
  }

  /** Spares young manifests and blobs, those of untrustworthy times, and what live leases name. */
  private void sparedByAgeOrLease(Run run) {
    List<Digest> young = new ArrayList<>();
    run.manifests.forEach((d, o) -> {
      if (!run.survivors.containsKey(d) && !run.old(o)) {
        young.add(d);
      }
    });
    survive(run, young);
    applyLeases(run, leases.listGc());
  }

  /** Spares what every live lease names; a lease older than the grace period belongs to a dead upload. */
  private void applyLeases(Run run, List<ObjectInfo> gc) {
    Set<Digest> leasedManifests = new HashSet<>();
    for (ObjectInfo o : Leases.under(gc, StoreLayout.GC_LEASES)) {
      if (o.lastModified().isAfter(run.cutoff)) {
        leases.readNamed(o).ifPresent(n -> {
          leasedManifests.addAll(n.manifests());
          run.keptBlobs.addAll(n.blobs());
          if (run.packs != null) {
            run.packs.leased(n.packs());
          }
        });
      }
    }
    survive(run, leasedManifests);
  }

  /** Format 2: what becomes of packs, forwarding objects and upload records; nothing in format 1. */
  private Repacking.Decision decidePacks(Run run, Set<Digest> doomedManifests) {
    if (run.packs == null || !run.unreadable.isEmpty()) {
      // A kept manifest that cannot be read lists unknown files: no pack or record is removed meanwhile.
      return Repacking.Decision.NONE;
    }
    Set<Digest> staying = new HashSet<>(run.survivors.keySet());
    staying.addAll(run.unreadable);
    return run.packs.decide(run::old, run.cutoff, run.manifests.keySet(), staying, doomedManifests, run.keptBlobs);
  }

  private Set<Digest> doomedManifests(Run run) {
    Set<Digest> out = new TreeSet<>();
    run.manifests.forEach((d, o) -> {
      if (!run.survivors.containsKey(d) && !run.unreadable.contains(d) && !run.roots.contains(d)) {
        out.add(d);
      }
    });
    return out;
  }

  private Set<Digest> doomedBlobs(Run run) {
    Set<Digest> out = new TreeSet<>();
    if (!run.unreadable.isEmpty() || (run.packs != null && !run.packs.allLocated())) {
      return out;
    }
    run.blobs.forEach((d, o) -> {
      if (!run.keptBlobs.contains(d) && run.old(o)) {
        out.add(d);
      }
    });
    return out;
  }

  /**
   * The index markers and signatures that name a doomed manifest; alias, type and "collected"
   * markers stay.
   */
  private List<ObjectInfo> doomedMarkers(Run run, Set<Digest> doomed) {
    List<ObjectInfo> out = new ArrayList<>();
    for (ObjectInfo o : run.markers) {
      markerVersion(o.key()).filter(doomed::contains).ifPresent(d -> out.add(o));
    }
    return out;
  }

  /** The version a marker names, if it names one. */
  private static Optional<Digest> markerVersion(String key) {
    try {
      if (key.startsWith(StoreLayout.VERSIONS_INDEX) || key.startsWith(StoreLayout.BLOBS_INDEX)
          || key.startsWith(StoreLayout.REFS_INDEX) || key.startsWith(StoreLayout.CONTENTS_INDEX)) {
        return Optional.of(StoreLayout.digestAtEnd(key));
      }
      if (key.startsWith(StoreLayout.SIGNATURES)) {
        String[] parts = key.substring(StoreLayout.SIGNATURES.length()).split("/");
        return parts.length == 4 ? Optional.of(Digest.parse(parts[0] + ":" + parts[2])) : Optional.empty();
      }
      if (key.startsWith(StoreLayout.TARGETS_INDEX)) {
        String[] parts = key.substring(StoreLayout.TARGETS_INDEX.length()).split("/");
        return parts.length == 4 ? Optional.of(Digest.parse(parts[0] + ":" + parts[1])) : Optional.empty();
      }
    } catch (RuntimeException e) {
      LOG.debug("not an index marker AMA wrote: {}", key);
    }
    return Optional.empty();
  }

  // ---- 5. plan, re-check, delete ----

  private GcReport delete(Run run, Set<Digest> doomedManifests, Set<Digest> doomedBlobs, Repacking.Decision planned) {
    long planTime = System.nanoTime();
    long deadline = planTime + Leases.PLAN_TTL.minus(Leases.PLAN_MARGIN).toNanos();
    store.putIfAbsent(run.planKey, Content.ofBytes(leases.write(new Leases.Named(doomedManifests, doomedBlobs,
        planned.planned()))));

    // Everything a writer did before it could see the plan is visible now: its lease, or an alias
    // entry it appended. Spare what those name (and what they ref), then recompute.
    applyLeases(run, leases.listGc());
    Set<String> before = new HashSet<>(run.entryKeys);
    Map<TypeAlias, TreeSet<Long>> logs = aliasLogs(run.entryKeys);
    List<Digest> appended = new ArrayList<>();
    logs.forEach((ta, seqs) -> seqs.forEach(seq -> {
      if (!before.contains(StoreLayout.aliasEntry(ta.type(), ta.alias(), seq))) {
        aliases.entry(ta.type(), ta.alias(), seq).target().ifPresent(v -> {
          run.named.add(v);
          appended.add(v);
        });
      }
    }));
    run.roots.addAll(appended);
    survive(run, appended);
    run.policyMarked();
    doomedManifests.retainAll(doomedManifests(run));
    Repacking.Decision packs = decidePacks(run, doomedManifests).within(planned);
    doomedBlobs.retainAll(doomedBlobs(run));
    recheckClock(run);

    // Referrers before what they ref, so every manifest left at any moment has its refs.
    Map<Digest, AssetVersion> doomedVersions = new HashMap<>();
    List<Callable<Optional<AssetVersion>>> reads = new ArrayList<>();
    for (Digest d : doomedManifests) {
      reads.add(() -> {
        try {
          return store.readManifestBytes(d).map(b -> Manifests.read(d, b, store.location()));
        } catch (IntegrityException e) {
          return Optional.empty();
        }
      });
    }
    tasks.run(reads).forEach(v -> v.ifPresent(x -> doomedVersions.put(x.version(), x)));
    List<ObjectInfo> markers = doomedMarkers(run, doomedManifests);

    boolean complete = true;
    Set<Digest> removedManifests = new TreeSet<>();
    Set<Digest> removedBlobs = new TreeSet<>();
    List<ObjectInfo> removedMarkers = new ArrayList<>();
    try {
      // "Collected" first: history then says collected, never "missing", whatever is killed next.
      List<Digest> historic = doomedManifests.stream().filter(run.named::contains).toList();
      runBefore(deadline, historic.stream().map(d -> (Tasks.Action) () -> store.putIfAbsent(StoreLayout.collected(d), EMPTY)).toList());
      runBefore(deadline, markers.stream().map(o -> (Tasks.Action) () -> store.delete(o.key())).toList());
      removedMarkers.addAll(markers);
      Set<Digest> left = new HashSet<>(doomedManifests);
      while (!left.isEmpty()) {
        Set<Digest> reffed = new HashSet<>();
        for (Digest d : left) {
          Optional.ofNullable(doomedVersions.get(d)).ifPresent(v -> v.refs().forEach(r -> reffed.add(r.version())));
        }
        List<Digest> layer = left.stream().filter(d -> !reffed.contains(d)).toList();
        if (layer.isEmpty()) {
          throw new IntegrityException("doomed manifests ref each other in a cycle, which content addressing rules"
              + " out; the store is damaged. Run ama verify");
        }
        runBefore(deadline, layer.stream().map(d -> (Tasks.Action) () -> store.delete(Store.manifestKey(d))).toList());
        layer.forEach(left::remove);
        removedManifests.addAll(layer);
      }
      if (run.packs != null) {
        List<Digest> written = run.packs.execute(packs, actions -> runBefore(deadline, actions));
        if (!packs.repack().isEmpty()) {
          run.notes.add("repacked " + packs.repack().size() + " pack(s) whose blobs were partly dead into "
              + written.size() + " new pack(s); forwarding objects under " + StoreLayout.MOVES_INDEX
              + " say where their live blobs went");
        }
      }
      runBefore(deadline, doomedBlobs.stream().map(d -> (Tasks.Action) () -> store.delete(Store.blobKey(d))).toList());
      removedBlobs.addAll(doomedBlobs);
    } catch (OutOfTime e) {
      complete = false;
      run.notes.add("stopped before the plan's time ran out (" + describe(Leases.PLAN_TTL.minus(Leases.PLAN_MARGIN))
          + "); run gc again to remove the rest");
    }
    if (complete) {
      cleanUpLeftovers(run);
      sweepTemporaryFiles(run);
    }
    return report(run, true, complete, removedManifests, removedBlobs, removedMarkers,
        complete ? packs : Repacking.Decision.NONE);
  }

  private static final class OutOfTime extends RuntimeException {
    OutOfTime() {
      super(null, null, false, false);
    }
  }

  /** Runs deletions in parallel unless the plan's time is up: writers treat it as dead after. */
  private void runBefore(long deadline, List<Tasks.Action> actions) {
    if (actions.isEmpty()) {
      return;
    }
    List<Tasks.Action> guarded = actions.stream().map(a -> (Tasks.Action) () -> {
      if (System.nanoTime() - deadline >= 0) {
        throw new OutOfTime();
      }
      a.run();
    }).toList();
    tasks.runAll(guarded);
  }

  /** Removes what killed runs and uploads left under {@code gc/}, once it is certainly dead. */
  private void cleanUpLeftovers(Run run) {
    int removed = 0;
    for (ObjectInfo o : leases.listGc()) {
      boolean dead = o.key().startsWith(StoreLayout.GC_LEASES)
          ? !o.lastModified().isAfter(run.cutoff)
          : !o.key().equals(run.planKey) && !o.key().equals(run.probeKey)
              && !run.now.isBefore(o.lastModified().plus(Leases.PLAN_TTL));
      if (dead) {
        store.delete(o.key());
        removed++;
      }
    }
    if (run.packs != null) {
      List<String> tables = run.packs.oldTables(run::old);
      tables.forEach(store::delete);
      if (!tables.isEmpty()) {
        run.notes.add("removed " + tables.size() + " object(s) of superseded content table generations");
      }
    }
    if (removed > 0) {
      run.notes.add("removed " + removed + " gc object(s) that expired: uploads' leases older than the grace period,"
          + " plans and probes of finished or killed gc runs");
    }
  }

  private void sweepTemporaryFiles(Run run) {
    if (store.storage() instanceof FileSystemStorage fs) {
      try {
        FileSystemStorage.Swept s = fs.sweepTemporaryFiles();
        if (s.files() > 0) {
          run.notes.add("removed " + s.files() + " temporary file(s) (" + s.bytes() + " bytes) that killed writers left");
        }
      } catch (IOException e) {
        run.notes.add("could not sweep temporary files: " + e);
      }
    }
  }

  // ---- report ----

  private GcReport report(Run run, boolean deleted, boolean complete, Set<Digest> manifests, Set<Digest> blobs,
      List<ObjectInfo> markers, Repacking.Decision packs) {
    long manifestBytes = manifests.stream().mapToLong(d -> run.manifests.get(d).size()).sum();
    // Format 2: packs removed whole or repacked count as blob objects, with the bytes they free.
    long blobBytes = blobs.stream().mapToLong(d -> run.blobs.get(d).size()).sum() + packs.freedBytes();
    int spared = 0;
    int suspect = 0;
    int future = 0;
    for (Map.Entry<Digest, ObjectInfo> e : run.manifests.entrySet()) {
      if (!manifests.contains(e.getKey()) && !run.keptByPolicy.contains(e.getKey())) {
        spared++;
        suspect += run.suspect(e.getValue()) ? 1 : 0;
        future += run.future(e.getValue()) ? 1 : 0;
      }
    }
    for (Map.Entry<Digest, ObjectInfo> e : run.blobs.entrySet()) {
      if (!blobs.contains(e.getKey()) && !run.blobsKeptByPolicy.contains(e.getKey())) {
        spared++;
        suspect += run.suspect(e.getValue()) ? 1 : 0;
        future += run.future(e.getValue()) ? 1 : 0;
      }
    }
    spared += packs.sparedPacks();
    List<String> notes = new ArrayList<>(run.notes);
    if (run.packs != null) {
      notes.addAll(run.packs.notes());
    }
    if (suspect > 0) {
      notes.add(suspect + " object(s) have modification times before the store was created (" + run.storeBorn
          + "), which cannot be right; they were not deleted");
    }
    if (future > 0) {
      notes.add(future + " object(s) have modification times in the future of the store's clock; they count as"
          + " young and were not deleted");
    }
    Set<Digest> kept = new HashSet<>(run.keptByPolicy);
    kept.retainAll(run.manifests.keySet());
    return new GcReport(deleted, complete, run.entryKeys.size(), kept.size(),
        new GcReport.Counts(manifests.size(), manifestBytes, blobs.size() + packs.packs(), blobBytes,
            markers.size() + packs.deleteRecords().size()),
        spared, List.copyOf(manifests), notes);
  }

  private static String describe(Duration d) {
    return (d.isNegative() ? "-" : "") + dev.ama.spi.StorageOptions.formatDuration(d.abs());
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.debug("gc clean-up failed: {}", e.toString());
    }
  }
}
