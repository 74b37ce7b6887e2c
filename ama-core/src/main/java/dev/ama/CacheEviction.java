package dev.ama;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The size side of {@link LocalCache}: measures what the cache holds on disk, and evicts until it
 * fits a cap. Part of the cache, not a part of its own: it reads the cache's layout through
 * {@link LocalCache}'s accessors and is called by it after writes.
 *
 * <p>Size is what is really on disk: every regular file under the cache, each inode counted once,
 * so a version folder hard-linked from its blobs adds nothing and a copied file (where links
 * fail) adds its size again. What goes first: blobs no cached version uses (fetched by downloads
 * or diffs), oldest first; then whole versions, least recently used first, each with the blobs no
 * other remaining version uses; then loose blobs younger than {@link #RECENT}. Never a version some process holds ({@link CachePins}) or one
 * pinned, nor their blobs (from their cached manifests); if only those are left, the cache stays
 * above the cap.
 *
 * <p>One pruner at a time per cache: {@code prune.lock} in the cache, locked exclusively by the
 * pruning process (and a lock per folder within a JVM, where file locks do not exclude).
 */
final class CacheEviction {
  /** Pruners in this JVM, by cache root: a JVM cannot take a file lock it already has. */
  private static final Map<Path, ReentrantLock> PRUNING = new ConcurrentHashMap<>();

  /**
   * Loose blobs younger than this go after the versions, not before: a load in progress has
   * fetched them and not yet linked them into its folder.
   */
  static final java.time.Duration RECENT = java.time.Duration.ofMinutes(1);

  private final LocalCache cache;
  /** The blob digests of each version, from its manifest, which never changes. */
  private final Map<Digest, Set<Digest>> manifestBlobs = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Digest, Set<Digest>> eldest) {
          return size() > 10_000;
        }
      });

  CacheEviction(LocalCache cache) {
    this.cache = cache;
  }

  /** A cached blob as scanned. */
  record Blob(Digest digest, Path path, Object key, long size, Instant modified) {}

  /** A version folder as scanned: the file key of each regular file in it, one per path. */
  record Folder(Digest version, Path path, List<Object> keys, Instant lastUsed) {}

  /**
   * What the cache holds, from one walk of it: sizes counted once per inode, with the number of
   * paths linking each, so removing a path frees bytes only when it was the last link.
   */
  static final class Contents {
    final Map<Object, Long> sizes = new HashMap<>();
    final Map<Object, Integer> links = new HashMap<>();
    final Map<Digest, Blob> blobs = new HashMap<>();
    final Map<Digest, Folder> folders = new HashMap<>();
    final Set<Digest> pinned = new HashSet<>();
    final Set<Digest> locked = new HashSet<>();
    long bytes;

    void count(Object key, long size) {
      if (links.merge(key, 1, Integer::sum) == 1) {
        sizes.put(key, size);
        bytes += size;
      }
    }

    void unlinked(Object key) {
      Integer n = links.get(key);
      if (n == null) {
        return;
      }
      if (n == 1) {
        links.remove(key);
        bytes -= sizes.remove(key);
      } else {
        links.put(key, n - 1);
      }
    }

    /** The bytes of the given file keys, each counted once. */
    long bytesOf(Set<Object> keys) {
      return keys.stream().mapToLong(k -> sizes.getOrDefault(k, 0L)).sum();
    }
  }

  /**
   * Walks the cache once.
   *
   * @throws IOException if the cache cannot be listed
   */
  Contents scan() throws IOException {
    Contents c = new Contents();
    Path root = cache.root();
    if (!Files.isDirectory(root)) {
      return c;
    }
    Map<Digest, List<Object>> folderKeys = new HashMap<>();
    Map<Digest, Instant> used = new HashMap<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
        if (!a.isRegularFile()) {
          return FileVisitResult.CONTINUE;
        }
        Object key = a.fileKey() != null ? a.fileKey() : file;
        c.count(key, a.size());
        Path rel = root.relativize(file);
        String top = rel.getName(0).toString();
        String name = file.getFileName().toString();
        switch (top) {
          case "blobs" -> digest(name).ifPresent(d ->
              c.blobs.put(d, new Blob(d, file, key, a.size(), a.lastModifiedTime().toInstant())));
          case "versions" -> {
            if (rel.getNameCount() > 2) {
              digest(rel.getName(1).toString()).ifPresent(d -> folderKeys.computeIfAbsent(d, x -> new ArrayList<>()).add(key));
            } else if (name.endsWith(LocalCache.USED)) {
              digest(name.substring(0, name.length() - LocalCache.USED.length()))
                  .ifPresent(d -> used.put(d, a.lastModifiedTime().toInstant()));
            }
          }
          case "pins" -> digest(name).ifPresent(c.pinned::add);
          case "locks" -> {
            if (name.endsWith(".lock")) {
              digest(name.substring(0, name.length() - ".lock".length())).ifPresent(c.locked::add);
            }
          }
          default -> {
            // manifests, stamps, aliases, tmp: counted, never evicted by size
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
        Path rel = root.relativize(dir);
        if (rel.getNameCount() == 2 && rel.getName(0).toString().equals("versions")) {
          digest(rel.getName(1).toString()).ifPresent(d -> {
            folderKeys.computeIfAbsent(d, x -> new ArrayList<>());
            used.putIfAbsent(d, a.lastModifiedTime().toInstant());
          });
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        // Removed by another process while walking: it no longer takes space.
        return FileVisitResult.CONTINUE;
      }
    });
    folderKeys.forEach((d, keys) -> c.folders.put(d,
        new Folder(d, cache.versionPath(d), keys, used.getOrDefault(d, Instant.EPOCH))));
    return c;
  }

  private static Optional<Digest> digest(String hex) {
    return hex.length() == 64 && Digest.isHex(hex) ? Optional.of(Digest.sha256Hex(hex)) : Optional.empty();
  }

  /** The versions some process holds now, among those that ever had a lock file. */
  Set<Digest> held(Contents c) throws IOException {
    Set<Digest> out = new HashSet<>();
    for (Digest d : c.locked) {
      if (CachePins.heldAnywhere(cache.root(), d)) {
        out.add(d);
      }
    }
    return out;
  }

  /** The blobs of a version by its cached manifest; none if the manifest is not cached. */
  Set<Digest> blobsOf(Digest version) {
    Set<Digest> known = manifestBlobs.get(version);
    if (known != null) {
      return known;
    }
    Optional<AssetVersion> v = cache.manifest(version);
    if (v.isEmpty()) {
      return Set.of();
    }
    Set<Digest> out = new HashSet<>();
    v.get().files().forEach(f -> out.add(f.digest()));
    manifestBlobs.put(version, Set.copyOf(out));
    return out;
  }

  /** A version's blobs: by its manifest, and any blob a file of its folder is a link of. */
  private Set<Digest> blobsOf(Contents c, Digest version, Map<Object, Digest> blobByKey) {
    Set<Digest> out = new HashSet<>(blobsOf(version));
    Folder f = c.folders.get(version);
    if (f != null) {
      f.keys().stream().map(blobByKey::get).filter(java.util.Objects::nonNull).forEach(out::add);
    }
    return out;
  }

  /**
   * Evicts until the cache holds at most {@code maxBytes}, as the class description says.
   *
   * @param wait whether to wait for another pruner of this cache; else skip
   * @throws IOException if the cache cannot be listed, or an eviction fails
   */
  CacheAdmin.PruneReport prune(long maxBytes, boolean wait) throws IOException {
    Path root = cache.root();
    ReentrantLock here = PRUNING.computeIfAbsent(root, r -> new ReentrantLock());
    if (wait) {
      here.lock();
    } else if (!here.tryLock()) {
      return CacheAdmin.PruneReport.skipped(maxBytes);
    }
    try {
      Files.createDirectories(root);
      try (FileChannel ch = FileChannel.open(root.resolve("prune.lock"), StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FileLock lock;
        try {
          lock = wait ? ch.lock() : ch.tryLock();
        } catch (UnsupportedOperationException e) {
          // No locks here: evictions still respect holds within this JVM, and run one at a time in it.
          lock = null;
          return pruneLocked(maxBytes);
        }
        if (lock == null) {
          return CacheAdmin.PruneReport.skipped(maxBytes);
        }
        return pruneLocked(maxBytes);
      }
    } finally {
      here.unlock();
    }
  }

  private CacheAdmin.PruneReport pruneLocked(long maxBytes) throws IOException {
    Contents c = scan();
    long before = c.bytes;
    Set<Digest> held = held(c);
    Map<Object, Digest> blobByKey = new HashMap<>();
    c.blobs.values().forEach(b -> blobByKey.put(b.key(), b.digest()));
    Set<Digest> protectedBlobs = new HashSet<>();
    for (Digest v : union(held, c.pinned)) {
      protectedBlobs.addAll(blobsOf(c, v, blobByKey));
    }
    Map<Digest, Set<Digest>> folderBlobs = new HashMap<>();
    for (Digest v : c.folders.keySet()) {
      folderBlobs.put(v, blobsOf(c, v, blobByKey));
    }
    List<CacheAdmin.Kept> kept = new ArrayList<>();
    List<Digest> evicted = new ArrayList<>();
    int looseRemoved = 0;
    List<Blob> loose = List.of();
    if (c.bytes > maxBytes) {
      Set<Digest> used = new HashSet<>(protectedBlobs);
      folderBlobs.values().forEach(used::addAll);
      loose = c.blobs.values().stream().filter(b -> !used.contains(b.digest()))
          .sorted(Comparator.comparing(Blob::modified)).toList();
      Instant recent = Instant.now().minus(RECENT);
      looseRemoved += removeLoose(c, loose.stream().filter(b -> b.modified().isBefore(recent)).toList(), maxBytes);
    }
    List<Folder> byAge = c.folders.values().stream().sorted(Comparator.comparing(Folder::lastUsed)).toList();
    for (Folder f : byAge) {
      Digest v = f.version();
      boolean pinned = c.pinned.contains(v);
      if (pinned || held.contains(v)) {
        kept.add(new CacheAdmin.Kept(v, pinned ? CacheAdmin.Kept.Reason.PINNED : CacheAdmin.Kept.Reason.HELD,
            c.bytesOf(new HashSet<>(f.keys()))));
        continue;
      }
      if (c.bytes <= maxBytes) {
        continue;
      }
      Set<Digest> stillUsed = new HashSet<>(protectedBlobs);
      folderBlobs.forEach((other, blobs) -> {
        if (!other.equals(v)) {
          stillUsed.addAll(blobs);
        }
      });
      List<Blob> unlink = folderBlobs.get(v).stream().filter(d -> !stillUsed.contains(d)).map(c.blobs::get)
          .filter(java.util.Objects::nonNull).toList();
      Path aside = cache.tmpDir().resolve(UUID.randomUUID() + ".evicted");
      boolean ran = CachePins.evict(cache.root(), v, () -> {
        if (Files.exists(f.path())) {
          Files.move(f.path(), aside, StandardCopyOption.ATOMIC_MOVE);
        }
        cache.forgetFolderFiles(v);
        for (Blob b : unlink) {
          Files.deleteIfExists(b.path());
        }
      });
      if (!ran) {
        // Held since the scan: it stays.
        kept.add(new CacheAdmin.Kept(v, CacheAdmin.Kept.Reason.HELD, c.bytesOf(new HashSet<>(f.keys()))));
        continue;
      }
      deleteAside(aside);
      f.keys().forEach(c::unlinked);
      unlink.forEach(b -> c.unlinked(b.key()));
      folderBlobs.remove(v);
      evicted.add(v);
    }
    // Young loose blobs last: most are the files of a load in progress, not yet linked into a folder.
    looseRemoved += removeLoose(c, loose, maxBytes);
    return new CacheAdmin.PruneReport(maxBytes, before, c.bytes, evicted, looseRemoved, kept, false);
  }

  private static int removeLoose(Contents c, List<Blob> blobs, long maxBytes) throws IOException {
    int removed = 0;
    for (Blob b : blobs) {
      if (c.bytes <= maxBytes) {
        break;
      }
      if (Files.deleteIfExists(b.path())) {
        removed++;
        c.unlinked(b.key());
      }
    }
    return removed;
  }

  private static void deleteAside(Path aside) throws IOException {
    if (!Files.exists(aside)) {
      return;
    }
    try {
      LocalCache.deleteTree(aside);
    } catch (NoSuchFileException e) {
      // The sweep of tmp/ in another process removed part of it first.
    }
  }

  private static Set<Digest> union(Set<Digest> a, Set<Digest> b) {
    Set<Digest> out = new HashSet<>(a);
    out.addAll(b);
    return out;
  }
}
