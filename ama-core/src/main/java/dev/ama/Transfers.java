package dev.ama;

import dev.ama.spi.Content;
import dev.ama.spi.PutOutcome;
import dev.ama.internal.TempFiles;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The hot path of moving bytes: hashing local files (through the hash cache), sending blobs,
 * fetching blobs (in parallel ranges when large) and writing files into place. One per client;
 * thread-safe.
 */
final class Transfers {
  private final Store store;
  private final LocalCache cache;
  private final HashCache hashes;
  private final TransferSettings settings;
  private final TransferListener listener;
  private final Executor parts;
  private final java.util.concurrent.Semaphore partPermits;
  private final Clock clock;
  private final BlobLocator locator;
  /**
   * Download folders this client has made or found, so that placing 2,000 files in one folder
   * does not ask the file system to make it 2,000 times. A folder removed since is made again when
   * a temporary file cannot be created in it. Forgotten past {@link #FOLDERS_REMEMBERED}.
   */
  private final Set<Path> folders = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static final int FOLDERS_REMEMBERED = 10_000;

  Transfers(Store store, LocalCache cache, HashCache hashes, TransferSettings settings,
      TransferListener listener, Executor parts, Clock clock, BlobLocator locator) {
    this.store = store;
    this.locator = locator;
    this.cache = cache;
    this.hashes = hashes;
    this.settings = settings;
    this.listener = listener;
    this.parts = parts;
    // Bounds the parts in memory across every large download of this client, not per file.
    this.partPermits = new java.util.concurrent.Semaphore(2 * settings.rangeParallelism());
    this.clock = clock;
  }

  TransferListener listener() {
    return listener;
  }

  /**
   * A local file about to be uploaded, named by its digest, with what it looked like when it was
   * hashed.
   *
   * @param crc32c the CRC32C of the bytes the digest was computed from, when this upload read them
   *     ({@link Transfers#hash}), else {@link #NO_CRC}: a second read (packing) then checks the bytes are the
   *     same with it instead of a second SHA-256, for a fraction of the CPU
   */
  record Source(Path file, AssetFile asset, HashCache.Stamp stamp, long crc32c) {
    static final long NO_CRC = -1;

    Source(Path file, AssetFile asset, HashCache.Stamp stamp) {
      this(file, asset, stamp, NO_CRC);
    }
  }

  /**
   * What a local file looks like now.
   *
   * @throws LocalFileException if it vanished or cannot be read since it was added
   */
  static HashCache.Stamp stamp(Path file) {
    try {
      return HashCache.Stamp.of(file);
    } catch (IOException e) {
      throw new LocalFileException("cannot read file " + file + " (" + describe(e)
          + "); was it moved or deleted after it was added?", e);
    }
  }

  /** The file's digest from the hash cache, if the file has not changed since it was hashed. */
  Optional<Source> known(String pathInAsset, Path file, HashCache.Stamp stamp) {
    Optional<Digest> known = hashes.lookup(file, stamp);
    if (known.isEmpty()) {
      return Optional.empty();
    }
    skipped(TransferListener.Phase.HASHING, pathInAsset, stamp.size());
    return Optional.of(new Source(file, new AssetFile(pathInAsset, known.get(), stamp.size()), stamp));
  }

  /**
   * Hashes a file and remembers its digest.
   *
   * @throws LocalFileException if the file cannot be read or changed while it was hashed
   */
  Source hash(String pathInAsset, Path file, HashCache.Stamp stamp) {
    java.time.Instant hashedAt = clock.instant();
    Digest d;
    long crc;
    try (java.util.zip.CheckedInputStream in = new java.util.zip.CheckedInputStream(
        counting(Files.newInputStream(file), TransferListener.Phase.HASHING), new java.util.zip.CRC32C())) {
      d = HashingInputStream.sha256(in);
      crc = in.getChecksum().getValue();
    } catch (IOException e) {
      throw new LocalFileException("cannot read file " + file + " (" + describe(e) + "); check that it still exists and"
          + " is readable, then upload again", e);
    }
    if (!unchanged(file, stamp)) {
      throw new LocalFileException("file " + file + " changed while it was being hashed; upload it again once the"
          + " program writing it has finished");
    }
    hashes.remember(file, stamp, d, hashedAt);
    listener.fileDone(TransferListener.Phase.HASHING, pathInAsset, false);
    return new Source(file, new AssetFile(pathInAsset, d, stamp.size()), stamp, crc);
  }

  void saveHashes() {
    hashes.save();
  }

  /** Whether a file still looks as it did when it was stamped; a vanished or unreadable one does not. */
  static boolean unchanged(Path file, HashCache.Stamp stamp) {
    try {
      return HashCache.Stamp.of(file).equals(stamp);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sends a blob unless the store has it. Small blobs are sent straight away with a create-only
   * put, which reports an existing blob itself: one request instead of a check and a put.
   *
   * @throws LocalFileException if the file changed, shrank or vanished while it was sent; the
   *     store failing at the same time is then only a consequence
   * @throws StoreException if the store failed
   */
  void uploadBlob(Source s) {
    Digest d = s.asset().digest();
    if (s.asset().size() >= settings.partSize() && store.hasBlob(d)) {
      skipped(TransferListener.Phase.UPLOADING, s.asset().path(), s.asset().size());
      return;
    }
    VerifyingContent content = new VerifyingContent(s.file(), s.asset(), s.crc32c(), listener);
    PutOutcome outcome;
    try {
      outcome = store.putBlob(d, content);
    } catch (StoreException e) {
      // A backend reports a failure of the content it reads as its own I/O error; the file is
      // what failed if it broke the check or no longer looks as it did when it was hashed.
      Optional<IOException> local = content.localFailure();
      if (!unchanged(s.file(), s.stamp()) || local.filter(VerifyingContent::isChange).isPresent()) {
        throw changedWhileUploading(s.file(), local.<Exception>map(x -> x).orElse(e));
      }
      if (local.isPresent()) {
        throw new LocalFileException("cannot read file " + s.file() + " while it was being uploaded ("
            + describe(local.get()) + "); nothing was published. Check the file and its disk, then upload again", local.get());
      }
      throw e;
    }
    content.reportRest();
    if (!unchanged(s.file(), s.stamp())) {
      // Another upload may already use this blob: it found it stored and skipped its own copy. So
      // remove it only if its bytes are not the content its key names, which can happen when the
      // file changed while parts were read from it unverified or a backend uploaded it natively.
      if (outcome == PutOutcome.CREATED && !storedBlobMatches(d)) {
        store.deleteBlob(d);
      }
      throw changedWhileUploading(s.file(), null);
    }
    listener.fileDone(TransferListener.Phase.UPLOADING, s.asset().path(), outcome == PutOutcome.ALREADY_EXISTS);
  }

  /** A blob the store holds already: its bytes still count, so progress reaches 100%. */
  void skippedUpload(Source s) {
    skipped(TransferListener.Phase.UPLOADING, s.asset().path(), s.asset().size());
  }

  /** A blob sent in a pack. */
  void sent(Source s) {
    listener.transferred(TransferListener.Phase.UPLOADING, s.asset().size());
    listener.fileDone(TransferListener.Phase.UPLOADING, s.asset().path(), false);
  }

  static LocalFileException changedWhileUploading(Path file, Exception cause) {
    return new LocalFileException("file " + file + " changed while it was being uploaded; nothing was"
        + " published. Upload it again once the program writing it has finished", cause);
  }

  private boolean storedBlobMatches(Digest d) {
    try (InputStream in = store.openBlob(d)) {
      return HashingInputStream.sha256(in).equals(d);
    } catch (IOException e) {
      throw store.failure("read back " + d, e);
    }
  }

  /**
   * Opens a blob from the store: its range of a pack, or in parallel ranges when it is large,
   * counted for the listener.
   */
  InputStream openBlob(AssetFile f) throws IOException {
    UploadRecords.Location at = locator.locate(f);
    if (at.pack().isPresent()) {
      return counting(openPacked(at), TransferListener.Phase.DOWNLOADING);
    }
    InputStream in = f.size() > 2L * settings.partSize() && settings.concurrency() > 1
        ? new ParallelRangeInputStream(
            (offset, length) -> store.openBlob(f.digest(), offset, length),
            f.size(), settings.partSize(), settings.rangeParallelism(), parts, partPermits,
            "blob " + Store.blobKey(f.digest()) + " of '" + f.path() + "' in " + store.location(),
            store.blobRepairHint(f.digest()))
        : store.openBlob(f.digest());
    return counting(in, TransferListener.Phase.DOWNLOADING);
  }

  /** Opens a packed blob, following forwarding objects if garbage collection repacked its pack meanwhile. */
  private InputStream openPacked(UploadRecords.Location at) {
    UploadRecords.Location l = at;
    for (int hop = 0; ; hop++) {
      try {
        return store.openPack(l.pack().orElseThrow(), l.offset(), l.size());
      } catch (Store.MissingPack e) {
        Optional<UploadRecords.Location> to = hop < PackMoves.MAX_HOPS ? locator.moved(l) : Optional.empty();
        if (to.isEmpty()) {
          throw e;
        }
        l = to.get();
      }
    }
  }

  /** Learns where the blobs of versions about to be read live (format 2: one request per version). */
  void prime(Collection<AssetVersion> versions) {
    locator.prime(versions);
  }

  /** Where a blob was read from, for messages about damage: the pack and the store. */
  private String source(AssetFile f) {
    return locator.known(f.digest()).flatMap(UploadRecords.Location::pack)
        .map(this::readFromPack)
        .orElse("read from " + store.location());
  }

  private String readFromPack(Digest pack) {
    return "read from pack " + Store.packKey(pack) + " in " + store.location();
  }

  /** How far apart two blobs of a pack may lie and still be read in one request: a gap costs less than a request. */
  static final long COALESCE_GAP = 256L << 10;
  /** The longest range read at once: long enough to cover a pack. */
  static final long COALESCE_MAX = Packs.PACK_BYTES;
  /**
   * The shortest range a download splits its packs into to keep every transfer thread busy: at a
   * few MiB a request's latency is small beside its transfer time.
   */
  static final long COALESCE_MIN = 1L << 20;

  /**
   * Fetches into the local cache the files whose blobs are known to lie in packs and are not
   * cached yet, as ranged reads each covering neighbouring blobs, one action per range for the
   * caller to run in parallel. Each blob is hashed and compared with its digest on the way in.
   *
   * @param count whether the bytes count as this transfer's progress (not when a later step counts them)
   */
  List<Tasks.Action> fetchPacked(Collection<AssetFile> files, boolean count) {
    List<AssetFile> missing = files.stream().filter(f -> cache.blob(f).isEmpty()).toList();
    return packedReads(missing, count, (f, in, source) -> cache.putBlob(f, in, source,
        store.blobRepairHint(f.digest()))).actions();
  }

  /** The actions of {@link #placePacked} and the destinations they write. */
  record PackedPlacements(List<Tasks.Action> actions, Set<Path> destinations) {}

  /**
   * Writes files whose blobs are known to lie in packs straight from ranged reads of the packs
   * into their destinations, each verified on the way and renamed into place as {@link #place}
   * does. Through the local cache each blob would be written, hashed and renamed twice; on 2,000
   * small files that doubled a download's time (docs/performance.md). Of files with the same
   * content, one is written here and the others are left to {@link #place}.
   *
   * @param placements the files to write, each with its destination
   * @return one action per ranged read, and the destinations they cover
   */
  PackedPlacements placePacked(List<Map.Entry<AssetFile, Path>> placements) {
    Map<AssetFile, Path> dest = new java.util.HashMap<>();
    placements.forEach(e -> dest.putIfAbsent(e.getKey(), e.getValue()));
    PackedReads reads = packedReads(dest.keySet().stream().sorted(java.util.Comparator.comparing(AssetFile::path))
        .toList(), true, (f, in, source) -> placeFrom(f, dest.get(f), in, source));
    Set<Path> covered = new HashSet<>();
    reads.files().forEach(f -> covered.add(dest.get(f)));
    return new PackedPlacements(reads.actions(), covered);
  }

  /** Where a blob read from a pack goes. */
  private interface BlobSink {
    void accept(AssetFile f, InputStream in, String source);
  }

  /** The ranged reads of {@link #packedReads} and the files they carry, one per distinct blob. */
  private record PackedReads(List<Tasks.Action> actions, List<AssetFile> files) {}

  /** Neighbouring blobs of one pack, read in one request. */
  private record Range(Digest pack, List<Map.Entry<AssetFile, UploadRecords.Location>> blobs) {}

  private PackedReads packedReads(Collection<AssetFile> files, boolean count, BlobSink sink) {
    List<AssetFile> carried = new ArrayList<>();
    List<Tasks.Action> actions = ranges(files, carried).stream()
        .map(r -> (Tasks.Action) () -> fetchRange(r, count, sink, 0)).toList();
    return new PackedReads(actions, carried);
  }

  /**
   * The ranged reads that fetch the files whose packed locations are known, one per distinct blob.
   *
   * @param carried receives the files the ranges carry
   */
  private List<Range> ranges(Collection<AssetFile> files, List<AssetFile> carried) {
    Map<Digest, List<Map.Entry<AssetFile, UploadRecords.Location>>> byPack = new java.util.TreeMap<>();
    Set<Digest> seen = new HashSet<>();
    for (AssetFile f : files) {
      Optional<UploadRecords.Location> at = locator.known(f.digest()).filter(l -> l.pack().isPresent());
      if (at.isPresent() && seen.add(f.digest())) {
        byPack.computeIfAbsent(at.get().pack().get(), p -> new ArrayList<>()).add(Map.entry(f, at.get()));
        carried.add(f);
      }
    }
    List<Range> out = new ArrayList<>();
    byPack.forEach((pack, blobs) -> {
      blobs.sort(java.util.Comparator.comparingLong(e -> e.getValue().offset()));
      long target = rangeTarget(blobs.stream().mapToLong(e -> e.getValue().size()).sum(), byPack.size(),
          settings.concurrency());
      List<Map.Entry<AssetFile, UploadRecords.Location>> range = new ArrayList<>();
      for (Map.Entry<AssetFile, UploadRecords.Location> e : blobs) {
        if (!range.isEmpty()) {
          UploadRecords.Location first = range.get(0).getValue();
          UploadRecords.Location last = range.get(range.size() - 1).getValue();
          long end = last.offset() + last.size();
          if (e.getValue().offset() - end > COALESCE_GAP || end - first.offset() >= target
              || e.getValue().offset() + e.getValue().size() - first.offset() > COALESCE_MAX) {
            out.add(new Range(pack, List.copyOf(range)));
            range.clear();
          }
        }
        range.add(e);
      }
      out.add(new Range(pack, List.copyOf(range)));
    });
    return out;
  }

  /**
   * The length at which a range of a pack holding {@code bytes} to download ends, when {@code
   * packs} packs are read on {@code threads} transfer threads: each pack is split into about
   * {@code threads / packs} ranges of at least {@link #COALESCE_MIN}, so that there are about as
   * many ranges as threads. Whole packs alone would leave most threads idle when there are fewer
   * packs than threads: 500 × 64 KiB fill 4 packs, which 4 of 16 threads would read while the others
   * wait. With as many packs as threads, each pack is one range.
   */
  static long rangeTarget(long bytes, int packs, int threads) {
    int split = Math.max(1, -Math.floorDiv(-threads, Math.max(1, packs)));
    return Math.max(COALESCE_MIN, -Math.floorDiv(-bytes, split));
  }

  /** One ranged read of a pack, split into its blobs, each verified on its way into {@code sink}. */
  private void fetchRange(Range r, boolean count, BlobSink sink, int hops) {
    Digest pack = r.pack();
    List<Map.Entry<AssetFile, UploadRecords.Location>> blobs = r.blobs();
    long start = blobs.get(0).getValue().offset();
    UploadRecords.Location last = blobs.get(blobs.size() - 1).getValue();
    long end = last.offset() + last.size();
    String source = readFromPack(pack);
    InputStream opened;
    try {
      opened = store.openPack(pack, start, end - start);
    } catch (Store.MissingPack e) {
      // Repacked by gc since the records were written: fetch from where its forwarding object says.
      for (Map.Entry<AssetFile, UploadRecords.Location> b : blobs) {
        if (hops >= PackMoves.MAX_HOPS || locator.moved(b.getValue()).isEmpty()) {
          throw e;
        }
      }
      for (Range moved : ranges(blobs.stream().map(Map.Entry::getKey).toList(), new ArrayList<>())) {
        fetchRange(moved, count, sink, hops + 1);
      }
      return;
    }
    try (InputStream in = opened) {
      long at = start;
      for (Map.Entry<AssetFile, UploadRecords.Location> e : blobs) {
        in.skipNBytes(e.getValue().offset() - at);
        InputStream blob = dev.ama.internal.BoundedInputStream.limit(in, e.getKey().size());
        // Only the blobs' bytes count as progress, not the gaps between them the range reads through.
        sink.accept(e.getKey(), count ? counting(blob, TransferListener.Phase.DOWNLOADING) : blob, source);
        at = e.getValue().offset() + e.getKey().size();
      }
    } catch (java.io.EOFException e) {
      throw new IntegrityException("pack " + Store.packKey(pack) + " in " + store.location() + " ends before byte " + end
          + ", where its upload records say its blobs end: it was truncated or damaged. Re-upload the assets whose files"
          + " it held", e);
    } catch (IOException e) {
      throw Tasks.isInterruption(e) ? Tasks.interrupted("fetching from " + Store.packKey(pack), e)
          : store.failure("read " + Store.packKey(pack), e);
    }
  }

  /**
   * The blob of a file in the local cache, fetched from the store and verified first if needed.
   *
   * @throws IntegrityException if the store's bytes do not match
   * @throws StoreException if the store failed
   * @throws LocalFileException if the cache cannot be written
   */
  Path cached(AssetFile f) {
    Optional<Path> hit = cache.blob(f);
    if (hit.isPresent()) {
      return hit.get();
    }
    try (InputStream in = openBlob(f)) {
      return cache.putBlob(f, in, source(f), store.blobRepairHint(f.digest()));
    } catch (IOException e) {
      // Only opening can fail here (waiting for range permits); reads report their own errors.
      throw Tasks.interrupted("fetching " + f.path(), e);
    }
  }

  /**
   * Writes a file of a version to a destination the caller found missing or different: copied
   * from the local cache when it is there, otherwise streamed from the store and verified on the
   * way. Either way it is written to a short temporary name beside the destination (see {@link
   * TempFiles}), locked while it is written, and renamed over the destination only when complete,
   * so a file replaced by a killed download is either entirely old or entirely new.
   *
   * @throws LocalFileException if the download folder cannot be written
   */
  void place(AssetFile f, Path dest) {
    try {
      try (TempFiles.Writing tmp = tempBeside(dest)) {
        boolean fromCache = copyFromCache(f, tmp);
        if (!fromCache) {
          try (InputStream in = openBlob(f); OutputStream out = tmp.out()) {
            HashingInputStream.copyVerified(in, out, f, source(f), store.blobRepairHint(f.digest()));
          }
        }
        tmp.moveTo(dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        listener.fileDone(TransferListener.Phase.DOWNLOADING, f.path(), fromCache);
      }
    } catch (IOException e) {
      throw writeFailure(dest, e);
    }
  }

  /** As {@link #place}, from a stream of the blob's bytes (read from a pack), verified on the way. */
  private void placeFrom(AssetFile f, Path dest, InputStream in, String source) {
    try {
      try (TempFiles.Writing tmp = tempBeside(dest)) {
        try (OutputStream out = tmp.out()) {
          HashingInputStream.copyVerified(in, out, f, source, store.blobRepairHint(f.digest()));
        }
        tmp.moveTo(dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        listener.fileDone(TransferListener.Phase.DOWNLOADING, f.path(), false);
      }
    } catch (IOException e) {
      throw writeFailure(dest, e);
    }
  }

  /** A temporary file in the folder of {@code dest}, the folder made first if need be. */
  private TempFiles.Writing tempBeside(Path dest) throws IOException {
    Path folder = dest.getParent();
    if (!folders.contains(folder)) {
      Files.createDirectories(folder);
      if (folders.size() >= FOLDERS_REMEMBERED) {
        folders.clear();
      }
      folders.add(folder);
      return TempFiles.create(folder);
    }
    try {
      return TempFiles.create(folder);
    } catch (java.nio.file.NoSuchFileException e) {
      // Removed since it was made or found.
      Files.createDirectories(folder);
      return TempFiles.create(folder);
    }
  }

  private static RuntimeException writeFailure(Path dest, IOException e) {
    if (Tasks.isInterruption(e)) {
      return Tasks.interrupted("writing " + dest, e);
    }
    return new LocalFileException("cannot write " + dest + " (" + describe(e)
        + "); check that the download folder is a writable folder with free space", e);
  }

  /** A file that is already in place still counts, so progress reaches 100%. */
  void alreadyPlaced(AssetFile f) {
    skipped(TransferListener.Phase.DOWNLOADING, f.path(), f.size());
  }

  /**
   * Copies a file's blob out of the local cache, verified: cached files are shared (hard links
   * handed out by load()) and could have been edited in place. A damaged blob is dropped from the
   * cache and the file is fetched from the store instead.
   *
   * @return whether the cache had the blob intact
   */
  private boolean copyFromCache(AssetFile f, TempFiles.Writing tmp) throws IOException {
    Optional<Path> blob = cache.blob(f);
    if (blob.isEmpty()) {
      return false;
    }
    try (InputStream in = Files.newInputStream(blob.get()); OutputStream out = tmp.out()) {
      HashingInputStream.copyVerified(in, out, f, "in the local cache", "");
      listener.transferred(TransferListener.Phase.DOWNLOADING, f.size());
      return true;
    } catch (IntegrityException e) {
      cache.evict(f);
      tmp.reset();
      return false;
    }
  }

  private static String describe(IOException e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** A file that needed no transfer still counts its bytes, so byte-driven progress reaches 100%. */
  private void skipped(TransferListener.Phase phase, String path, long size) {
    listener.transferred(phase, size);
    listener.fileDone(phase, path, true);
  }

  private InputStream counting(InputStream in, TransferListener.Phase phase) {
    if (listener == TransferListener.NONE) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
          listener.transferred(phase, 1);
        }
        return c;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          listener.transferred(phase, n);
        }
        return n;
      }
    };
  }

  /**
   * File content that checks itself as a backend streams it (against the CRC32C taken while the
   * file was hashed, else by hashing it again) and fails the write, before the object becomes
   * visible, if the file no longer holds the bytes its digest was computed from.
   */
  static final class VerifyingContent implements Content {
    private final Path file;
    private final AssetFile expected;
    private final long crc32c;
    private final TransferListener listener;
    private final java.util.concurrent.atomic.AtomicLong reported = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicReference<IOException> localFailure =
        new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * @param crc32c the CRC32C this upload took while hashing the file, or {@link Source#NO_CRC}:
     *     with it, the bytes sent are checked against it rather than hashed again (see
     *     {@link Packs#read} for why that suffices)
     */
    VerifyingContent(Path file, AssetFile expected, long crc32c, TransferListener listener) {
      this.file = file;
      this.expected = expected;
      this.crc32c = crc32c;
      this.listener = listener;
    }

    /** Reports bytes read more than once (retries) at most once, and the unread rest at the end. */
    private void report(long n) {
      long before = reported.getAndUpdate(r -> Math.min(expected.size(), r + n));
      long added = Math.min(expected.size(), before + n) - before;
      if (added > 0) {
        listener.transferred(TransferListener.Phase.UPLOADING, added);
      }
    }

    /** After the put: the store had the blob, or the backend read the file itself. */
    void reportRest() {
      report(expected.size());
    }

    @Override
    public long length() {
      return expected.size();
    }

    /** The first failure of the file itself seen while a backend read it, if any. */
    Optional<IOException> localFailure() {
      return Optional.ofNullable(localFailure.get());
    }

    private IOException local(IOException e) {
      localFailure.compareAndSet(null, e);
      return e;
    }

    @Override
    public InputStream openStream() throws IOException {
      InputStream in = fileReads(() -> Files.newInputStream(file));
      if (crc32c != Source.NO_CRC) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        return new Checking(new java.util.zip.CheckedInputStream(in, crc), () -> crc.getValue() == crc32c);
      }
      HashingInputStream hashing = new HashingInputStream(in);
      return new Checking(hashing, () -> hashing.digest().equals(expected.digest()));
    }

    /**
     * Counts and reports what a backend reads, and fails the read that brings the count to the
     * file's size (or past it) if the bytes are not the file's, before the backend can commit them.
     */
    private final class Checking extends FilterInputStream {
      private final java.util.function.BooleanSupplier same;
      private long count;
      private boolean checked;

      Checking(InputStream in, java.util.function.BooleanSupplier same) {
        super(in);
        this.same = same;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          count += n;
          report(n);
        }
        // Backends such as the AWS SDK read exactly length() bytes and never ask for the end,
        // so the check runs as soon as the last declared byte is in, before the request ends.
        if (n < 0 || count >= expected.size()) {
          check();
        }
        return n;
      }

      @Override
      public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
          count++;
          report(1);
        }
        if (c < 0 || count >= expected.size()) {
          check();
        }
        return c;
      }

      /** Skipped bytes would not be checked, so skipping reads them. */
      @Override
      public long skip(long n) throws IOException {
        return HashingInputStream.skipByReading(this, n);
      }

      @Override
      public boolean markSupported() {
        return false;
      }

      private void check() throws IOException {
        if (checked) {
          if (count > expected.size()) {
            throw local(new FileChanged("file " + VerifyingContent.this.file + " grew while it was being uploaded"));
          }
          return;
        }
        checked = true;
        if (count != expected.size() || !same.getAsBoolean()) {
          throw local(new FileChanged("file " + VerifyingContent.this.file + " changed while it was being uploaded"));
        }
      }
    }

    @Override
    public InputStream openStream(long offset, long length) throws IOException {
      // Parts are checked as a whole after the upload, by the file's stamp.
      return fileReads(() -> Content.ofFile(file).openStream(offset, length));
    }

    /** Opens the file; a failure to open it or read it is recorded as the file's. */
    private InputStream fileReads(Opener opener) throws IOException {
      InputStream in;
      try {
        in = opener.open();
      } catch (IOException e) {
        throw local(e);
      }
      return new FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          try {
            return super.read();
          } catch (IOException e) {
            throw local(e);
          }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          try {
            return super.read(b, off, len);
          } catch (IOException e) {
            throw local(e);
          }
        }
      };
    }

    @FunctionalInterface
    private interface Opener {
      InputStream open() throws IOException;
    }

    /** Whether a failure of the file is that its bytes changed, rather than that reading failed. */
    static boolean isChange(IOException e) {
      return e instanceof FileChanged;
    }

    /** The file's bytes no longer match the digest it is being stored under. */
    private static final class FileChanged extends IOException {
      private static final long serialVersionUID = 1L;

      FileChanged(String message) {
        super(message);
      }
    }

    @Override
    public Optional<Path> file() {
      return Optional.of(file);
    }
  }
}
