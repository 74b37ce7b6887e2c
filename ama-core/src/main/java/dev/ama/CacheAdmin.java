package dev.ama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The local cache of one client, as its owner sees it: what it holds, how much space that takes,
 * pins, pruning and a check of every cached byte. Obtained from {@link AssetClient#cache()}.
 *
 * <p>The cache may be shared by several processes on one machine (the same {@code AMA_CACHE}).
 * A version some process is reading is <em>held</em> (a shared file lock on {@code
 * locks/<hex>.lock} in the cache) and a version pinned here is kept across restarts ({@code
 * pins/<hex>}): neither is ever evicted, so a cache whose held and pinned versions alone exceed
 * its cap stays above it. See docs/serving.md, "The local cache".
 */
public final class CacheAdmin {
  private final LocalCache cache;
  private final BiFunction<String, String, AssetVersion> resolve;
  private final Function<AssetVersion, Path> fetch;

  CacheAdmin(LocalCache cache, BiFunction<String, String, AssetVersion> resolve, Function<AssetVersion, Path> fetch) {
    this.cache = cache;
    this.resolve = resolve;
    this.fetch = fetch;
  }

  /**
   * A version in the cache: one with a folder (all its files or some of them), or one pinned.
   *
   * @param version the version's id
   * @param type its asset type, if its manifest is cached
   * @param aliases the aliases this machine last loaded it by, as {@code type/alias}, over every
   *     store this cache served
   * @param bytes the size on disk of its folder (its blobs are hard links of the same bytes)
   * @param files how many of its files the folder holds
   * @param complete whether the folder holds every file of the version
   * @param lastUsed when a load last handed out its folder; empty if it has no folder
   * @param pinned whether it is pinned
   * @param held whether some process on this machine holds it now (a snapshot)
   */
  public record Entry(
      Digest version, Optional<String> type, List<String> aliases, long bytes, int files, boolean complete,
      Optional<Instant> lastUsed, boolean pinned, boolean held) {
    /** Copies the list. */
    public Entry {
      Objects.requireNonNull(version, "version");
      aliases = List.copyOf(aliases);
    }
  }

  /**
   * How much space the cache takes, each inode counted once.
   *
   * @param bytes everything under the cache folder: blobs, version folders that are copies rather
   *     than links, manifests, temporary files of transfers in progress
   * @param maxBytes the cap, if one is set
   * @param versions how many version folders it holds
   * @param keptBytes the bytes of held and pinned version folders, which no prune evicts
   * @param looseBytes the bytes of blobs that no cached version uses (from downloads, diffs, or a
   *     load in progress), which a prune evicts first
   * @param evictableBytes what a prune could free: the loose blobs and the versions neither held
   *     nor pinned; the rest (held and pinned versions, manifests, the hash cache, transfers in
   *     progress) stays
   */
  public record Usage(
      long bytes, OptionalLong maxBytes, int versions, long keptBytes, long looseBytes, long evictableBytes) {
    /** Whether a cap is set and the cache is above it. */
    public boolean overCap() {
      return maxBytes.isPresent() && bytes > maxBytes.getAsLong();
    }
  }

  /**
   * A version a prune left in place although it might have made room.
   *
   * @param version the version
   * @param reason why it stays
   * @param bytes the size on disk of its folder
   */
  public record Kept(Digest version, Reason reason, long bytes) {
    /** Why a version is never evicted. */
    public enum Reason {
      /** Pinned with {@link CacheAdmin#pin}. */
      PINNED,
      /** Some process holds it: it is being read or loaded. */
      HELD
    }
  }

  /**
   * What a prune did.
   *
   * @param maxBytes the size it pruned to
   * @param bytesBefore the cache's size when it started
   * @param bytesAfter the cache's size when it finished; above {@code maxBytes} only if the held
   *     and pinned versions ({@code kept}) and transfers in progress take more
   * @param evicted the versions whose folders were evicted, least recently used first
   * @param looseBlobsRemoved how many blobs that no cached version used were removed
   * @param kept the held and pinned versions
   * @param skipped whether nothing was done because another process was pruning the cache
   */
  public record PruneReport(
      long maxBytes, long bytesBefore, long bytesAfter, List<Digest> evicted, int looseBlobsRemoved, List<Kept> kept,
      boolean skipped) {
    /** Copies the lists. */
    public PruneReport {
      evicted = List.copyOf(evicted);
      kept = List.copyOf(kept);
    }

    static PruneReport skipped(long maxBytes) {
      return new PruneReport(maxBytes, -1, -1, List.of(), 0, List.of(), true);
    }
  }

  /**
   * Something {@link CacheAdmin#verify()} found damaged and removed from the cache (unless the
   * problem says it was left); the next load fetches it again from the store.
   *
   * @param path the damaged file, as it was in the cache
   * @param version the version whose folder held it, if it was in a folder; empty for a blob
   * @param problem what was wrong
   */
  public record Damage(Path path, Optional<Digest> version, String problem) {}

  /**
   * What {@link CacheAdmin#verify()} checked and found.
   *
   * @param blobs how many blobs were hashed
   * @param files how many files of version folders were hashed
   * @param damaged what was damaged and removed
   */
  public record CheckReport(int blobs, int files, List<Damage> damaged) {
    /** Copies the list. */
    public CheckReport {
      damaged = List.copyOf(damaged);
    }

    /** Whether nothing was damaged. */
    public boolean ok() {
      return damaged.isEmpty();
    }
  }

  /** The cache folder. */
  public Path root() {
    return cache.root();
  }

  /** The size cap, if one is set ({@link AssetClient.Builder#cacheMax}). */
  public OptionalLong maxBytes() {
    return cache.maxBytes() == LocalCache.UNBOUNDED ? OptionalLong.empty() : OptionalLong.of(cache.maxBytes());
  }

  /**
   * Every version in the cache, least recently used first (pinned ones without a folder last).
   *
   * @throws LocalFileException if the cache cannot be read
   */
  public List<Entry> entries() {
    CacheEviction.Contents c = scan();
    Set<Digest> held = held(c);
    Map<Digest, Set<String>> aliases = cache.rememberedAliases();
    List<Entry> out = new ArrayList<>();
    Set<Digest> all = new HashSet<>(c.folders.keySet());
    all.addAll(c.pinned);
    for (Digest d : all) {
      Optional<AssetVersion> v = cache.manifest(d);
      CacheEviction.Folder f = c.folders.get(d);
      int files = 0;
      boolean complete = false;
      if (f != null && v.isPresent()) {
        for (AssetFile file : v.get().files()) {
          if (Files.isRegularFile(AssetPaths.resolve(f.path(), file.path()), LinkOption.NOFOLLOW_LINKS)) {
            files++;
          }
        }
        complete = files == v.get().files().size();
      } else if (f != null) {
        files = f.keys().size();
      }
      out.add(new Entry(d, v.map(AssetVersion::type), List.copyOf(aliases.getOrDefault(d, Set.of())),
          f == null ? 0 : c.bytesOf(new HashSet<>(f.keys())), files, complete,
          Optional.ofNullable(f).map(CacheEviction.Folder::lastUsed), c.pinned.contains(d), held.contains(d)));
    }
    out.sort(Comparator.comparing((Entry e) -> e.lastUsed().orElse(Instant.MAX)).thenComparing(Entry::version));
    return out;
  }

  /**
   * How much space the cache takes.
   *
   * @throws LocalFileException if the cache cannot be read
   */
  public Usage usage() {
    CacheEviction.Contents c = scan();
    Set<Digest> held = held(c);
    Set<Object> kept = new HashSet<>();
    Set<Object> inFolders = new HashSet<>();
    Set<Object> evictable = new HashSet<>();
    c.folders.values().forEach(f -> {
      inFolders.addAll(f.keys());
      (held.contains(f.version()) || c.pinned.contains(f.version()) ? kept : evictable).addAll(f.keys());
    });
    Set<Digest> usedByFolders = new HashSet<>();
    c.folders.keySet().forEach(d -> usedByFolders.addAll(cache.eviction().blobsOf(d)));
    Set<Object> loose = new HashSet<>();
    c.blobs.values().stream().filter(b -> !inFolders.contains(b.key()) && !usedByFolders.contains(b.digest()))
        .forEach(b -> loose.add(b.key()));
    evictable.removeAll(kept);
    evictable.addAll(loose);
    return new Usage(c.bytes, maxBytes(), c.folders.size(), c.bytesOf(kept), c.bytesOf(loose), c.bytesOf(evictable));
  }

  /**
   * Prunes to the configured cap; waits for another process's prune of this cache to finish first.
   *
   * @throws InvalidInputException if no cap is set; the message says how to set one
   * @throws LocalFileException if the cache cannot be read or written
   */
  public PruneReport prune() {
    if (maxBytes().isEmpty()) {
      throw new InvalidInputException("the local cache " + root() + " has no size cap, so there is nothing to prune to;"
          + " give a size (ama cache prune --max 10GiB, or prune(bytes)), or set a cap with AMA_CACHE_MAX,"
          + " cache_max: in ~/.ama/config.yml, --cache-max or AssetClient.Builder.cacheMax");
    }
    return prune(cache.maxBytes());
  }

  /**
   * Evicts until the cache takes at most {@code maxBytes}: blobs no cached version uses first,
   * oldest first, then versions least recently used first with the blobs only they use; never a
   * held or pinned version or its blobs. Waits for another process's prune of this cache to finish
   * first. {@code prune(0)} empties the cache of everything not held or pinned.
   *
   * @throws InvalidInputException if {@code maxBytes} is negative
   * @throws LocalFileException if the cache cannot be read or written
   */
  public PruneReport prune(long maxBytes) {
    if (maxBytes < 0) {
      throw new InvalidInputException("cannot prune the local cache to " + maxBytes + " bytes; give a size of 0 or more");
    }
    try {
      return cache.eviction().prune(maxBytes, true);
    } catch (IOException e) {
      throw failed("prune", e);
    }
  }

  /**
   * Pins a version so that no prune evicts it, in this process or any other sharing the cache,
   * until it is unpinned; the pin is a file in the cache, so it survives restarts. The version is
   * fetched into the cache (every file, verified) if it is not there, so a pinned version can be
   * loaded offline.
   *
   * @param selector as everywhere: alias, {@code alias@N}, a digest or a unique prefix
   * @return the pinned version
   * @throws NotFoundException if the store has no such version; nothing is pinned
   * @throws StoreException if the store cannot be reached to resolve or fetch it; the pin is kept
   *     if it was written before the fetch failed, and the message says so
   */
  public AssetVersion pin(String type, String selector) {
    AssetVersion v = resolve.apply(Names.checkType(type), Objects.requireNonNull(selector, "selector"));
    // Pinned before it is fetched, so a prune meanwhile keeps the blobs already fetched.
    cache.pin(v.version());
    try {
      fetch.apply(v);
    } catch (AmaException e) {
      throw e instanceof StoreException
          ? new StoreException("pinned " + v.version().shortHex() + " (" + type + ") but could not fetch it into the local"
              + " cache: " + e.getMessage() + ". The pin stays; run the pin again when the store is reachable, or unpin"
              + " it", e)
          : e;
    }
    return v;
  }

  /**
   * Unpins a version; a later prune may evict it. Works offline for a digest or prefix of a pinned
   * version; other selectors are resolved through the store.
   *
   * @return the version, if it was pinned; empty if it was not
   * @throws NotFoundException if the selector names no version
   */
  public Optional<Digest> unpin(String type, String selector) {
    Objects.requireNonNull(selector, "selector");
    Names.checkType(type);
    Digest d = pinnedByPrefix(selector).orElseGet(() -> resolve.apply(type, selector).version());
    return cache.unpin(d) ? Optional.of(d) : Optional.empty();
  }

  private Optional<Digest> pinnedByPrefix(String selector) {
    String hex = selector.startsWith(Digest.SHA256 + ":") ? selector.substring(Digest.SHA256.length() + 1) : selector;
    if (hex.length() < 8 || !Digest.isHex(hex)) {
      return Optional.empty();
    }
    List<Digest> matches = cache.pinned().stream().filter(d -> d.hex().startsWith(hex.toLowerCase(java.util.Locale.ROOT)))
        .toList();
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }

  /** Holds a version in this cache, as a loader does; see {@link LocalCache#hold}. */
  CachePins.Hold hold(Digest version) {
    return cache.hold(version);
  }

  /** The pinned versions. */
  public Set<Digest> pinned() {
    return cache.pinned();
  }

  /**
   * Re-hashes every cached blob and every file of every version folder, and removes what is
   * damaged: a blob whose bytes do not hash to its name, a folder file whose bytes are not its
   * manifest's (only that file goes, as a load would replace it), a folder whose manifest is not
   * cached (it cannot be checked). Nothing is lost that the store still has: the next load fetches
   * it again. Reads every byte of the cache.
   *
   * @throws LocalFileException if the cache cannot be read, or a damaged file cannot be removed
   */
  public CheckReport verify() {
    CacheEviction.Contents c = scan();
    List<Damage> damaged = new ArrayList<>();
    int blobs = 0;
    for (CacheEviction.Blob b : c.blobs.values()) {
      blobs++;
      Optional<Digest> actual = hash(b.path());
      if (actual.isPresent() && !actual.get().equals(b.digest())) {
        delete(b.path());
        damaged.add(new Damage(b.path(), Optional.empty(), "the blob's bytes hash to " + actual.get().shortHex()
            + ", not to its name"));
      }
    }
    int files = 0;
    for (CacheEviction.Folder f : c.folders.values()) {
      Optional<AssetVersion> v = cache.manifest(f.version());
      if (v.isEmpty()) {
        boolean removed;
        try {
          removed = CachePins.evict(root(), f.version(), () -> LocalCache.deleteTree(f.path()));
        } catch (IOException e) {
          throw failed("remove the unverifiable folder " + f.path() + " from", e);
        }
        damaged.add(new Damage(f.path(), Optional.of(f.version()), "its manifest is not cached, so its files cannot"
            + " be checked" + (removed ? "" : "; a process holds it, so it was left; run verify again later")));
        continue;
      }
      for (AssetFile file : v.get().files()) {
        Path p = AssetPaths.resolve(f.path(), file.path());
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        files++;
        if (!HashingInputStream.holds(p, file)) {
          delete(p);
          damaged.add(new Damage(p, Optional.of(f.version()), file.path() + " does not hold the bytes its manifest"
              + " lists (" + file.digest().shortHex() + ", " + file.size() + " bytes)"));
        }
      }
    }
    return new CheckReport(blobs, files, damaged);
  }

  private static Optional<Digest> hash(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      return Optional.of(HashingInputStream.sha256(in));
    } catch (IOException e) {
      // Evicted by a prune meanwhile: nothing left to check.
      return Optional.empty();
    }
  }

  private void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new LocalFileException("could not remove the damaged file " + p + " from the local cache: " + e.getMessage()
          + ". Delete it by hand, or set AMA_CACHE to another folder", e);
    }
  }

  private CacheEviction.Contents scan() {
    try {
      return cache.eviction().scan();
    } catch (IOException e) {
      throw failed("read", e);
    }
  }

  private Set<Digest> held(CacheEviction.Contents c) {
    try {
      return cache.eviction().held(c);
    } catch (IOException e) {
      throw failed("read the holds of", e);
    }
  }

  private LocalFileException failed(String what, IOException e) {
    return new LocalFileException("could not " + what + " the local cache " + root() + ": " + e.getMessage()
        + ". Check permissions on it, or set AMA_CACHE to another folder", e);
  }

  @Override
  public String toString() {
    return "CacheAdmin[" + root() + (maxBytes().isPresent() ? ", cap " + maxBytes().getAsLong() + " bytes" : "") + "]";
  }
}
