package dev.ama;

import dev.ama.internal.TempFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local, content-addressed cache: blobs by digest (shared by every store, since a digest
 * names the same bytes everywhere), verified manifests, version folders assembled from the blobs
 * for {@link AssetClient#load}, and the last known target of each alias for offline starts. It
 * gets, puts and checks what it hands out (a version folder against the stamps recorded when it
 * was verified, a manifest against its id); where the bytes come from is the caller's business.
 *
 * <p>Everything enters through a temporary file (see {@link TempFiles}) and an atomic rename, so a
 * crash or a concurrent process never leaves a partial file under a final name, and what a killed
 * process left in {@code tmp/} is removed by the next client that writes.
 *
 * <p>With a size cap, a blob about to be written first makes room for itself ({@link
 * CacheEviction}): each version folder handed out has its last use recorded (the modification time
 * of {@code versions/<hex>.used}, one {@code utimes} call), and the least recently used versions
 * that no process holds and nobody pinned ({@code pins/<hex>}) are evicted first.
 */
final class LocalCache {
  private static final Logger LOG = LoggerFactory.getLogger(LocalCache.class);
  private final Path root;
  private final AtomicBoolean swept = new AtomicBoolean();
  /** Blobs this client put or hashed itself, which need no hashing before they are linked. */
  private final Set<Digest> verified = ConcurrentHashMap.newKeySet();
  /** The suffix of the file whose modification time is a version's last use. */
  static final String USED = ".used";
  /** No cap. */
  static final long UNBOUNDED = Long.MAX_VALUE;
  /**
   * How long this process trusts its own count of the cache's size before it walks the cache
   * again: other processes write to it too, unseen.
   */
  private static final long RESCAN_NANOS = 1_000_000_000L;
  private final long maxBytes;
  private final CacheEviction eviction = new CacheEviction(this);
  /** The cache's size as last measured plus what this process wrote since; -1 before measuring. */
  private final AtomicLong estimate = new AtomicLong(-1);
  private volatile long measuredAt;
  /** Bytes this process wrote since it last measured the cache. */
  private final AtomicLong sinceMeasured = new AtomicLong();

  LocalCache(Path root) {
    this(root, UNBOUNDED);
  }

  /** @param maxBytes the size cap, or {@link #UNBOUNDED} */
  LocalCache(Path root, long maxBytes) {
    this.root = root;
    this.maxBytes = maxBytes;
  }

  long maxBytes() {
    return maxBytes;
  }

  CacheEviction eviction() {
    return eviction;
  }

  Path root() {
    return root;
  }

  private Path blobPath(Digest d) {
    return root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex().substring(0, 2)).resolve(d.hex());
  }

  Path tmpDir() throws IOException {
    Path tmp = Files.createDirectories(root.resolve("tmp"));
    if (swept.compareAndSet(false, true)) {
      sweep(tmp);
    }
    return tmp;
  }

  /**
   * Removes what killed processes left in {@code tmp/}: temporary files nobody holds locked, and
   * folders and files of other kinds (assembled in milliseconds, never locked) once they are
   * {@link TempFiles#UNLOCKED_AGE} old. Once per client, on its first write.
   */
  private static void sweep(Path tmp) {
    TempFiles.sweep(tmp);
    try (Stream<Path> entries = Files.list(tmp)) {
      entries.filter(p -> !TempFiles.isTempName(p.getFileName().toString())).forEach(p -> {
        try {
          if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant()
              .isBefore(Instant.now().minus(TempFiles.UNLOCKED_AGE))) {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
              deleteTree(p);
            } else {
              Files.deleteIfExists(p);
            }
          }
        } catch (IOException e) {
          // Housekeeping only; the next client tries again.
        }
      });
    } catch (IOException e) {
      // Housekeeping only.
    }
  }

  /**
   * Holds a version in this cache, so that no process sharing the cache evicts its folder until
   * the hold is closed (see {@link CachePins}). Take it before checking or assembling the folder.
   * Closing it prunes the cache if the last prune left it above its cap, as a hold may have made it.
   *
   * @throws LocalFileException if the version's lock file cannot be created or locked
   */
  CachePins.Hold hold(Digest version) {
    try {
      return CachePins.hold(root, version, this::released);
    } catch (IOException e) {
      throw new LocalFileException("could not hold " + version.shortHex() + " in the local cache " + root + ": "
          + e.getMessage() + ". Check permissions on " + root.resolve("locks") + ", or set AMA_CACHE", e);
    }
  }

  /** The cached blob of a file, if the cache has it at the file's size. */
  Optional<Path> blob(AssetFile file) {
    Path target = blobPath(file.digest());
    try {
      return Files.isRegularFile(target) && Files.size(target) == file.size() ? Optional.of(target) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Drops a file's blob from the cache, such as one found damaged. */
  void evict(AssetFile file) {
    try {
      Files.deleteIfExists(blobPath(file.digest()));
    } catch (IOException e) {
      // It stays damaged on disk, but every reader verifies it and falls back to the store.
    }
  }

  /**
   * Puts a file's blob into the cache from a stream, verified on the way; a concurrent put of the
   * same blob by another process is as good as this one.
   *
   * @param source where the stream comes from, for messages
   * @param remedy what to do if the source is damaged, for messages
   * @return the cached blob
   * @throws IntegrityException if the bytes do not match the file's digest; nothing is cached
   * @throws LocalFileException if the cache cannot be written
   */
  Path putBlob(AssetFile file, InputStream in, String source, String remedy) {
    Path target = blobPath(file.digest());
    makeRoom(file.size());
    try {
      Files.createDirectories(target.getParent());
      try (TempFiles.Writing tmp = TempFiles.create(tmpDir())) {
        try (OutputStream out = tmp.out()) {
          HashingInputStream.copyVerified(in, out, file, source, remedy);
        }
        makeReadOnly(tmp.path());
        moveIntoPlace(tmp, target);
      }
      verified.add(file.digest());
      wrote(file.size());
      return target;
    } catch (IOException e) {
      if (Tasks.isInterruption(e)) {
        throw Tasks.interrupted("caching " + file.path(), e);
      }
      throw new LocalFileException("could not write " + file.path() + " (" + file.digest() + ") to the local cache "
          + root + ": " + e.getMessage() + ". Check free space and permissions, or set AMA_CACHE", e);
    }
  }

  private static void moveIntoPlace(TempFiles.Writing tmp, Path target) throws IOException {
    try {
      tmp.moveTo(target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      // Another process cached the same content first; its copy is as good as ours.
    }
  }

  private static void makeReadOnly(Path p) {
    try {
      Files.setPosixFilePermissions(p, EnumSet.of(
          PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ));
    } catch (UnsupportedOperationException | IOException e) {
      // Best effort: read-only blobs only guard against accidental edits through hard links.
    }
  }

  /**
   * The complete folder of a version, if the cache holds one whose files are unchanged since the
   * cache verified them. Each file's stamp (size, modification time, change time, inode) is compared
   * with the one recorded then, a few {@code stat} calls; with {@code fullVerify} every file is
   * hashed instead. A file whose stamp differs is hashed: if its bytes are still right its stamp is
   * recorded again, else that file is deleted (and its blob evicted if the blob is damaged too,
   * as it is when the file is a hard link of it), so the caller fetches and assembles it again.
   *
   * @return the folder, or empty if there is none or it was damaged
   */
  Optional<Path> checkedFolder(AssetVersion v, boolean fullVerify) {
    return checkedFolder(v, v.files(), fullVerify);
  }

  /**
   * The folder of a version holding at least some of its files, checked as {@link
   * #checkedFolder(AssetVersion, boolean)} checks a whole one; other files of the version may or
   * may not be in it.
   *
   * @param files the files needed, each one of the version's
   */
  Optional<Path> checkedFolder(AssetVersion v, List<AssetFile> files, boolean fullVerify) {
    Path target = versionPath(v);
    if (!isComplete(target, files)) {
      return Optional.empty();
    }
    Map<String, String> recorded = readStamps(v);
    boolean restamp = false;
    for (AssetFile f : files) {
      Path p = AssetPaths.resolve(target, f.path());
      if (!fullVerify && stampLine(p).filter(s -> s.equals(recorded.get(f.path()))).isPresent()) {
        continue;
      }
      if (!HashingInputStream.holds(p, f)) {
        Path blob = blobPath(f.digest());
        if (Files.exists(blob) && !HashingInputStream.holds(blob, f)) {
          evict(f);
        }
        // Only the damaged file goes: readers of the folder's other files keep them.
        deleteDamaged(p);
        return Optional.empty();
      }
      restamp = true;
    }
    if (restamp) {
      writeStamps(target, v);
    }
    used(v.version());
    return Optional.of(target);
  }

  private Path stampsPath(AssetVersion v) {
    return besideFolder(v.version(), ".stamps");
  }

  /** A small file kept beside a version's folder in {@code versions/}, such as its stamps. */
  private Path besideFolder(Digest v, String suffix) {
    return root.resolve("versions").resolve(v.hex() + suffix);
  }

  private static Optional<String> stampLine(Path p) {
    try {
      return Optional.of(HashCache.Stamp.of(p).line());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Records the stamps of the version's files in its folder, now that they are known to be right;
   * files the folder does not hold (a subset was loaded) get none.
   */
  private void writeStamps(Path folder, AssetVersion v) {
    StringBuilder sb = new StringBuilder();
    for (AssetFile f : v.files()) {
      if (!Files.isRegularFile(AssetPaths.resolve(folder, f.path()), LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      // Asset paths hold no control characters, so a tab ends the stamp.
      stampLine(AssetPaths.resolve(folder, f.path())).ifPresent(s -> sb.append(s).append('\t').append(f.path()).append('\n'));
    }
    writeSmall(stampsPath(v), sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  private Map<String, String> readStamps(AssetVersion v) {
    Map<String, String> out = new java.util.HashMap<>();
    readSmall(stampsPath(v)).ifPresent(b -> new String(b, StandardCharsets.UTF_8).lines().forEach(l -> {
      int tab = l.lastIndexOf('\t');
      if (tab > 0) {
        out.put(l.substring(tab + 1), l.substring(0, tab));
      }
    }));
    return out;
  }

  /** Deletes a damaged file of a version folder; a reader holding it open keeps its bytes. */
  private void deleteDamaged(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new LocalFileException("could not remove the damaged file " + file + " from the local cache: "
          + e.getMessage() + ". Delete it by hand, or set AMA_CACHE to another folder", e);
    }
  }

  private Path versionPath(AssetVersion v) {
    return versionPath(v.version());
  }

  Path versionPath(Digest v) {
    return root.resolve("versions").resolve(v.hex());
  }

  /**
   * Records that a version's folder was handed out now, for least-recently-used eviction: one
   * {@code utimes} call on a small file, created the first time.
   */
  private void used(Digest v) {
    Path used = besideFolder(v, USED);
    try {
      Files.setLastModifiedTime(used, FileTime.from(Instant.now()));
    } catch (java.nio.file.NoSuchFileException e) {
      writeSmall(used, new byte[0]);
    } catch (IOException e) {
      // Only the eviction order suffers: the version looks older than it is.
    }
  }

  /** Removes the stamps and the last use of an evicted version's folder. */
  void forgetFolderFiles(Digest v) throws IOException {
    Files.deleteIfExists(besideFolder(v, ".stamps"));
    Files.deleteIfExists(besideFolder(v, USED));
  }

  /**
   * Before a write of {@code incoming} bytes: prunes to leave room for it, unless this process's
   * count says there is room, the count is fresh, and the writes since it are small (a 64th of the
   * cap: other processes' writes are unseen in the count). Room is made first, so the cache never
   * holds more than the cap plus what is held or pinned, not even for the moment between a write and
   * its prune. A prune by another process meanwhile is waited for, since it may have measured the
   * cache before the write that needs room. Housekeeping: a failure is logged, and the write goes on.
   */
  private void makeRoom(long incoming) {
    if (maxBytes == UNBOUNDED) {
      return;
    }
    long now = System.nanoTime();
    long est = estimate.get();
    if (est >= 0 && est + incoming <= maxBytes && now - measuredAt < RESCAN_NANOS
        && sinceMeasured.get() + incoming <= maxBytes / 64) {
      return;
    }
    try {
      sinceMeasured.set(0);
      CacheAdmin.PruneReport r = eviction.prune(Math.max(0, maxBytes - incoming), true);
      estimate.set(r.bytesAfter());
      measuredAt = now;
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not prune the local cache {} to its cap of {} bytes ({}); it stays larger until the next write"
          + " prunes it, or run ama cache prune", root, maxBytes, e.toString());
    }
  }

  /** After a write of {@code bytes}, for this process's count of the cache's size. */
  private void wrote(long bytes) {
    if (maxBytes != UNBOUNDED) {
      estimate.accumulateAndGet(bytes, (e, b) -> e < 0 ? e : e + b);
      sinceMeasured.addAndGet(bytes);
    }
  }

  /** After a hold closed: prunes if the last measure was above the cap (held versions kept it there). */
  private void released() {
    if (maxBytes != UNBOUNDED && estimate.get() > maxBytes) {
      makeRoom(0);
    }
  }

  // ---- pins ----

  private Path pinPath(Digest v) {
    return root.resolve("pins").resolve(v.hex());
  }

  /**
   * Pins a version: no prune evicts it until it is unpinned. A file in the cache, so a pin
   * outlives the process.
   *
   * @throws LocalFileException if the pin cannot be written
   */
  void pin(Digest v) {
    Path p = pinPath(v);
    try {
      Files.createDirectories(p.getParent());
      try (TempFiles.Writing tmp = TempFiles.create(tmpDir()); OutputStream out = tmp.out()) {
        out.write((v + "\n").getBytes(StandardCharsets.US_ASCII));
        tmp.moveTo(p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new LocalFileException("could not pin " + v.shortHex() + " in the local cache " + root + ": " + e.getMessage()
          + ". Check free space and permissions on " + p.getParent() + ", or set AMA_CACHE", e);
    }
  }

  /**
   * Unpins a version.
   *
   * @return whether it was pinned
   * @throws LocalFileException if the pin cannot be removed
   */
  boolean unpin(Digest v) {
    try {
      return Files.deleteIfExists(pinPath(v));
    } catch (IOException e) {
      throw new LocalFileException("could not unpin " + v.shortHex() + " in the local cache " + root + ": "
          + e.getMessage() + ". Delete " + pinPath(v) + " by hand", e);
    }
  }

  /** The pinned versions. */
  Set<Digest> pinned() {
    Set<Digest> out = new java.util.TreeSet<>();
    try (Stream<Path> pins = Files.list(root.resolve("pins"))) {
      pins.map(p -> p.getFileName().toString()).filter(n -> n.length() == 64 && Digest.isHex(n))
          .forEach(n -> out.add(Digest.sha256Hex(n)));
    } catch (IOException e) {
      // No pins folder: nothing pinned.
    }
    return out;
  }

  /** Every remembered alias target, as {@code type/alias} by version, over every store. */
  Map<Digest, Set<String>> rememberedAliases() {
    Map<Digest, Set<String>> out = new java.util.HashMap<>();
    Path aliases = root.resolve("aliases");
    if (!Files.isDirectory(aliases)) {
      return out;
    }
    try (Stream<Path> walk = Files.walk(aliases, 3)) {
      walk.filter(p -> aliases.relativize(p).getNameCount() == 3 && Files.isRegularFile(p)).forEach(p -> {
        Path rel = aliases.relativize(p);
        readSmall(p).ifPresent(b -> {
          try {
            Digest d = Digest.parse(new String(b, StandardCharsets.US_ASCII).trim());
            out.computeIfAbsent(d, x -> new java.util.TreeSet<>()).add(rel.getName(1) + "/" + rel.getName(2));
          } catch (IllegalArgumentException e) {
            // A damaged remembered target is ignored, as rememberedAlias ignores it.
          }
        });
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      // Only the listing loses names.
    }
    return out;
  }

  /**
   * The folder holding a version's files under their asset paths, assembled from its cached blobs
   * with hard links (copies where links are not possible).
   *
   * @param blobs every file's cached blob, by digest
   * @return the folder, or empty if one of the blobs left the cache meanwhile (another process
   *     evicted it as damaged); the caller fetches it again and retries
   * @throws LocalFileException if the cache cannot be written
   */
  Optional<Path> versionFolder(AssetVersion v, Map<Digest, Path> blobs) {
    return versionFolder(v, v.files(), blobs);
  }

  /**
   * The folder of a version holding at least the given files, assembled as {@link
   * #versionFolder(AssetVersion, Map)} assembles a whole one. A folder grows file by file: each file
   * is linked under a temporary name and renamed into place, so a reader never sees a partial
   * file, and files a reader of another subset is using are never moved or replaced (a file of the
   * wrong size, a crash's or a user's edit, is replaced by one rename).
   *
   * @param files the files needed, each one of the version's
   * @param blobs the needed files' cached blobs, by digest
   */
  Optional<Path> versionFolder(AssetVersion v, List<AssetFile> files, Map<Digest, Path> blobs) {
    Path target = versionPath(v);
    if (isComplete(target, files)) {
      used(v.version());
      return Optional.of(target);
    }
    try {
      Path tmp = tmpDir();
      boolean placed = false;
      for (AssetFile f : files) {
        Path dest = AssetPaths.resolve(target, f.path());
        if (hasSize(dest, f)) {
          continue;
        }
        Path blob = blobs.get(f.digest());
        if (!verified.contains(f.digest())) {
          // A blob found in the cache may have been edited through a folder it is linked into.
          if (!HashingInputStream.holds(blob, f)) {
            evict(f);
            return Optional.empty();
          }
          verified.add(f.digest());
        }
        Path link = tmp.resolve(UUID.randomUUID() + ".link");
        try {
          linkOrCopy(blob, link);
        } catch (java.nio.file.NoSuchFileException e) {
          if (!Files.exists(blob)) {
            return Optional.empty();
          }
          throw e;
        }
        try {
          Files.createDirectories(dest.getParent());
          Files.move(link, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(link);
        }
        placed = true;
      }
      if (placed) {
        writeStamps(target, v);
      }
      used(v.version());
      return Optional.of(target);
    } catch (IOException e) {
      throw new LocalFileException("could not assemble " + v + " in the local cache " + root + ": " + e.getMessage()
          + ". Check free space and permissions, or set AMA_CACHE", e);
    }
  }

  private static boolean hasSize(Path p, AssetFile f) {
    try {
      return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) == f.size();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isComplete(Path folder, List<AssetFile> files) {
    for (AssetFile f : files) {
      if (!hasSize(AssetPaths.resolve(folder, f.path()), f)) {
        return false;
      }
    }
    return Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS);
  }

  static void linkOrCopy(Path from, Path to) throws IOException {
    try {
      Files.createLink(to, from);
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void deleteTree(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(x -> {
        try {
          Files.deleteIfExists(x);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  // ---- manifests and alias targets, for starting without the store ----

  void saveManifest(Digest id, byte[] bytes) {
    writeSmall(root.resolve("manifests").resolve(id.hex() + ".json"), bytes);
  }

  /**
   * A cached manifest, checked against its id. A damaged one is evicted and reported as missing,
   * as a damaged blob is, so the caller reads the store's copy again.
   */
  Optional<AssetVersion> manifest(Digest id) {
    Path p = root.resolve("manifests").resolve(id.hex() + ".json");
    Optional<byte[]> bytes = readSmall(p);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Manifests.read(id, bytes.get(), "the local cache " + root));
    } catch (IntegrityException e) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException gone) {
        // Still damaged on disk: it is checked and skipped again on every read.
      }
      return Optional.empty();
    }
  }

  void rememberAlias(String location, String type, String alias, Digest version) {
    writeSmall(aliasPath(location, type, alias), version.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Forgets an alias's remembered target, such as one the store says was removed. Best effort: the
   * caller is reporting the removal, which matters more than this file.
   */
  void forgetAlias(String location, String type, String alias) {
    Path remembered = aliasPath(location, type, alias);
    try {
      Files.deleteIfExists(remembered);
    } catch (IOException e) {
      LOG.warn("could not forget the remembered target of {}/{} at {} ({}); delete it, or an offline start may serve"
          + " the version the alias pointed at before it was removed", type, alias, remembered, e.toString());
    }
  }

  Optional<Digest> rememberedAlias(String location, String type, String alias) {
    return readSmall(aliasPath(location, type, alias)).flatMap(b -> {
      try {
        return Optional.of(Digest.parse(new String(b, StandardCharsets.US_ASCII).trim()));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    });
  }

  private Path aliasPath(String location, String type, String alias) {
    String store = Digest.sha256(location.getBytes(StandardCharsets.UTF_8)).shortHex();
    return root.resolve("aliases").resolve(store).resolve(type).resolve(alias);
  }

  private void writeSmall(Path target, byte[] bytes) {
    try {
      Files.createDirectories(target.getParent());
      try (TempFiles.Writing tmp = TempFiles.create(tmpDir()); OutputStream out = tmp.out()) {
        out.write(bytes);
        tmp.moveTo(target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // The cache is an accelerator: failing to remember something only costs a later round trip.
    }
  }

  private static Optional<byte[]> readSmall(Path p) {
    try {
      return Optional.of(Files.readAllBytes(p));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
