package dev.ama;

import dev.ama.UploadRecords.Location;
import dev.ama.UploadRecords.UploadRecord;
import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import java.io.InputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migrates a format 1 store to format 2 (docs/store-format.md, "Migrating to version 2"): gives
 * every version an upload record, copying its small loose blobs into packs on the way, writes its
 * content identity marker, and then switches the format marker to 2.
 *
 * <p>Every object it writes is create-only and new to a format 1 store, so version ids, alias
 * logs, refs and signatures never change, and a format 1 reader ignores what it writes: until the
 * marker switches, the store is a format 1 store with some extra objects, and older clients keep
 * working on it. A version's record is written after its packs and its content marker, so a
 * version with a record is done; a migration killed at any point is finished by running it again,
 * which skips those. Loose blobs are never deleted: old clients that opened the store before the
 * switch may still rely on them, and garbage collection removes those no record locates after its
 * grace period.
 *
 * <p>Memory is bounded: versions stream from the listing of {@code manifests/}, at most one pack
 * is built at a time, and what is kept across versions is the set of record keys and a bounded
 * map of where this run packed each blob.
 */
final class Migration {
  private static final Logger LOG = LoggerFactory.getLogger(Migration.class);
  private static final Content EMPTY = Content.ofBytes(new byte[0]);
  /**
   * The most blob locations remembered across versions, some 150 bytes each: enough for the blobs
   * that neighbouring versions share, small enough for any heap. A blob shared with a version
   * migrated longer ago is packed again, which costs space, never correctness.
   */
  static final int REMEMBERED_LOCATIONS = 200_000;
  /** Stands for the pack a dry run would write, whose digest it cannot know without reading the blobs. */
  private static final Digest DRY_RUN_PACK = Digest.sha256(new byte[0]);
  /** The most notes kept in the report; the rest are counted. */
  private static final int MAX_NOTES = 20;

  private final Store store;
  private final UploadRecords records;
  private final Function<Digest, Optional<AssetVersion>> manifests;
  private final Tasks tasks;

  Migration(Store store, UploadRecords records, Function<Digest, Optional<AssetVersion>> manifests, Tasks tasks) {
    this.store = store;
    this.records = records;
    this.manifests = manifests;
    this.tasks = tasks;
  }

  MigrationReport migrate(MigrateOptions options) {
    if (!store.canList()) {
      throw new InvalidInputException("store " + store.location() + " cannot list objects, which a migration needs to"
          + " find every version; run it against the store itself rather than a mirror");
    }
    int before = store.format();
    if (options.write()) {
      store.checkWritable();
    }
    Run run = new Run(options);
    // The marker switches only once a whole pass found every version with its record. Versions
    // that clients still writing format 1 added during the pass are caught by the pass after it.
    pass(run);
    if (options.write() && before == Store.FORMAT_V1) {
      store.switchFormat(Store.FORMAT_V2);
      LOG.info("switched {} to store format {}", store.location(), Store.FORMAT_V2);
      pass(run);
    }
    if (run.blobs > 0) {
      run.notes.add(0, run.blobs + " loose blob(s) (" + run.bytes + " bytes) " + (options.write()
          ? "were" : "would be") + " copied into packs and stay in blobs/ until garbage collection removes them, after"
          + " its grace period");
    }
    if (run.damaged > MAX_NOTES) {
      run.notes.add((run.damaged - MAX_NOTES) + " more damaged object(s) were left as they were; 'ama verify' lists them");
    }
    int after = options.write() ? Store.FORMAT_V2 : before;
    return new MigrationReport(options.write(), before, after, run.versions, run.migrated, run.blobs, run.bytes, run.packs,
        run.notes);
  }

  /** One migration's state. */
  private static final class Run {
    final MigrateOptions options;
    final List<String> notes = new ArrayList<>();
    /** Versions listed by the last pass. */
    long versions;
    long migrated;
    long blobs;
    long bytes;
    long packs;
    int damaged;
    /** Record keys written by this run, so the pass after the switch does not count them again. */
    final Set<String> written = new HashSet<>();
    /** Where this run put each small blob, most recent last, bounded (see {@link #REMEMBERED_LOCATIONS}). */
    final Map<Digest, Location> located = new LinkedHashMap<>();
    /** Versions waiting for their blobs' pack, in listing order, and the blobs of the pack being filled. */
    final List<AssetVersion> waiting = new ArrayList<>();
    final Map<Digest, Long> pending = new LinkedHashMap<>();
    long pendingBytes;

    Run(MigrateOptions options) {
      this.options = options;
    }

    void note(String text) {
      damaged++;
      if (damaged <= MAX_NOTES) {
        notes.add(text);
      }
    }

    MigrationReport.Progress progress() {
      return new MigrationReport.Progress(versions, migrated, blobs, bytes);
    }
  }

  /** Lists every manifest and gives each version without an upload record one. */
  private void pass(Run run) {
    Set<String> recorded = recordKeys();
    run.versions = 0;
    try (Stream<StoreWalk.Stored> listed = new StoreWalk(store).manifests(o -> {})) {
      Iterator<StoreWalk.Stored> it = listed.iterator();
      while (it.hasNext()) {
        Digest id = it.next().id();
        run.versions++;
        Optional<AssetVersion> v = read(run, id);
        if (v.isEmpty()) {
          continue;
        }
        String key = StoreLayout.uploadRecord(v.get().createdAt(), id);
        if (recorded.contains(key) || run.written.contains(key)) {
          continue;
        }
        add(run, v.get());
      }
    }
    if (!run.pending.isEmpty()) {
      writePack(run);
    }
    finishWaiting(run);
  }

  /** The keys of the upload records in the store: one listing request per thousand versions. */
  private Set<String> recordKeys() {
    Set<String> keys = new HashSet<>();
    try (Stream<ObjectInfo> s = store.list(StoreLayout.UPLOADS_INDEX)) {
      s.forEach(o -> keys.add(o.key()));
    }
    return keys;
  }

  /**
   * A version's manifest, or empty if it vanished since the listing (a gc) or is damaged: a damaged
   * one is left for {@code verify} to report, since nothing can say which blobs it meant.
   */
  private Optional<AssetVersion> read(Run run, Digest id) {
    try {
      return manifests.apply(id);
    } catch (IntegrityException e) {
      run.note("version " + id + " was not migrated: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Queues a version: its small blobs not yet placed go into the pack being filled. */
  private void add(Run run, AssetVersion v) {
    Map<Digest, Long> small = smallBlobs(v);
    for (Map.Entry<Digest, Long> b : small.entrySet()) {
      if (run.located.containsKey(b.getKey()) || run.pending.containsKey(b.getKey())) {
        continue;
      }
      if (run.pendingBytes + b.getValue() > Packs.PACK_BYTES && !run.pending.isEmpty()) {
        writePack(run);
      }
      run.pending.put(b.getKey(), b.getValue());
      run.pendingBytes += b.getValue();
    }
    run.waiting.add(v);
    if (run.pendingBytes >= Packs.PACK_BYTES) {
      writePack(run);
    }
    finishWaiting(run);
  }

  private static Map<Digest, Long> smallBlobs(AssetVersion v) {
    Map<Digest, Long> small = new LinkedHashMap<>();
    for (AssetFile f : v.files()) {
      if (f.size() < Packs.SMALL_BLOB) {
        small.putIfAbsent(f.digest(), f.size());
      }
    }
    return small;
  }

  /**
   * Writes the versions whose blobs all have a place now: content marker, then record, in listing
   * order. The record last, because a version with a record is one the next run skips.
   */
  private void finishWaiting(Run run) {
    Iterator<AssetVersion> it = run.waiting.iterator();
    List<Tasks.Action> writes = new ArrayList<>();
    while (it.hasNext()) {
      AssetVersion v = it.next();
      if (smallBlobs(v).keySet().stream().anyMatch(run.pending::containsKey)) {
        continue;
      }
      it.remove();
      List<Location> locations = new ArrayList<>();
      Set<Digest> seen = new HashSet<>();
      for (AssetFile f : v.files()) {
        if (seen.add(f.digest())) {
          Location at = f.size() < Packs.SMALL_BLOB ? run.located.get(f.digest()) : null;
          locations.add(at != null ? at : Location.loose(f.digest(), f.size()));
        }
      }
      UploadRecord record = new UploadRecord(v.version(), v.type(), v.createdAt(), List.copyOf(locations));
      run.written.add(record.key());
      run.migrated++;
      if (run.options.write()) {
        writes.add(() -> {
          store.putIfAbsent(StoreLayout.contentUse(Publisher.identityOf(v), v.version()), EMPTY);
          records.write(record);
        });
      }
    }
    tasks.runAll(writes);
    if (run.waiting.isEmpty() && run.located.size() > REMEMBERED_LOCATIONS) {
      Iterator<Digest> oldest = run.located.keySet().iterator();
      while (run.located.size() > REMEMBERED_LOCATIONS / 2) {
        oldest.next();
        oldest.remove();
      }
    }
  }

  /**
   * Builds one pack from the pending blobs, read from their loose objects in parallel and each
   * checked against its digest, and writes it create-only; a dry run only counts it. A blob that
   * is missing or damaged is left out and stays located as loose, so that {@code verify} keeps
   * reporting it exactly as before the migration.
   */
  private void writePack(Run run) {
    List<Map.Entry<Digest, Long>> blobs = new ArrayList<>(run.pending.entrySet());
    run.pending.clear();
    run.pendingBytes = 0;
    List<byte[]> contents = run.options.write()
        ? tasks.run(blobs.stream().map(b -> (Callable<byte[]>) () -> readBlob(run, b.getKey(), b.getValue())).toList())
        : blobs.stream().map(b -> (byte[]) null).toList();
    Map<Digest, Long> offsets = new HashMap<>();
    long total = 0;
    for (int i = 0; i < blobs.size(); i++) {
      if (!run.options.write() || contents.get(i) != null) {
        offsets.put(blobs.get(i).getKey(), total);
        total += blobs.get(i).getValue();
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    Digest id = DRY_RUN_PACK;
    if (run.options.write()) {
      byte[] pack = new byte[Math.toIntExact(total)];
      for (int i = 0; i < blobs.size(); i++) {
        Long offset = offsets.get(blobs.get(i).getKey());
        if (offset != null) {
          System.arraycopy(contents.get(i), 0, pack, offset.intValue(), contents.get(i).length);
        }
      }
      id = Digest.sha256(pack);
      store.putIfAbsent(Store.packKey(id), Content.ofBytes(pack));
    }
    for (Map.Entry<Digest, Long> b : blobs) {
      Long offset = offsets.get(b.getKey());
      if (offset != null) {
        run.located.put(b.getKey(), Location.packed(b.getKey(), b.getValue(), id, offset));
        run.blobs++;
        run.bytes += b.getValue();
      }
    }
    run.packs++;
    run.options.progressListener().accept(run.progress());
  }

  /** A loose blob's bytes, checked against its digest and size, or null if it is missing or damaged. */
  private byte[] readBlob(Run run, Digest blob, long size) {
    try (InputStream in = store.openBlob(blob)) {
      byte[] bytes = in.readNBytes(Math.toIntExact(size) + 1);
      if (bytes.length != size || !Digest.sha256(bytes).equals(blob)) {
        synchronized (run) {
          run.note("blob " + blob + " (" + Store.blobKey(blob) + ") holds " + (bytes.length > size ? "more than " : "")
              + bytes.length + " bytes that do not hash to its digest; it was not packed. " + store.blobRepairHint(blob));
        }
        return null;
      }
      return bytes;
    } catch (IntegrityException e) {
      synchronized (run) {
        run.note("blob " + blob + " was not packed: " + e.getMessage());
      }
      return null;
    } catch (IOException e) {
      throw store.failure("read " + Store.blobKey(blob), e);
    }
  }
}
