package dev.ama;

import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An asset version present on local disk, in the local cache, ready for serving code to open its
 * files. The files are shared with other users of the cache: treat them as read-only.
 *
 * <p>It says where it came from ({@link #origin()}): resolved against the store just now, or
 * served from the cache because the store could not be reached ({@link #stale()}, with the cause
 * and the time the alias was last resolved), so serving code is never stale without knowing it.
 *
 * <p>It holds its version in the local cache from its creation until {@link #close()}: no process
 * sharing the cache evicts the version's files meanwhile. Close it when done (try-with-resources);
 * one that becomes unreachable unclosed is released when the garbage collector finds it. Closing
 * changes nothing else: the object stays as it was, but its files may then be evicted.
 */
public final class LoadedAsset implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  /** Where a loaded version came from. */
  public enum Origin {
    /** The alias was resolved against the store by this load. */
    STORE,
    /**
     * The store could not be reached; the version is the one this machine last loaded for the
     * alias, served from the local cache. It may be out of date.
     */
    CACHE
  }

  private final AssetVersion asset;
  private final Path dir;
  private final List<AssetFile> loaded;
  private final FileSelection selection;
  private final Origin origin;
  private final StoreException unreachable;
  private final Instant lastResolved;
  private final Cleaner.Cleanable release;

  private LoadedAsset(AssetVersion asset, Path dir, List<AssetFile> loaded, FileSelection selection, Origin origin,
      StoreException unreachable, Instant lastResolved, CachePins.Hold hold) {
    this.asset = asset;
    this.dir = dir;
    this.loaded = List.copyOf(loaded);
    this.selection = selection;
    this.origin = origin;
    this.unreachable = unreachable;
    this.lastResolved = lastResolved;
    // The action names the hold, not this object, so it can run once this object is unreachable.
    this.release = CLEANER.register(this, hold::close);
  }

  /** A version just resolved against the store, its files {@code loaded} held by {@code hold}. */
  static LoadedAsset fromStore(AssetVersion asset, Path dir, List<AssetFile> loaded, FileSelection selection,
      Instant resolved, CachePins.Hold hold) {
    return new LoadedAsset(asset, dir, loaded, selection, Origin.STORE, null, resolved, hold);
  }

  /**
   * A version served from the cache because the store could not be reached.
   *
   * @param lastResolved when the alias was last resolved against the store, if known
   */
  static LoadedAsset fromCache(AssetVersion asset, Path dir, List<AssetFile> loaded, FileSelection selection,
      StoreException cause, Optional<Instant> lastResolved, CachePins.Hold hold) {
    return new LoadedAsset(asset, dir, loaded, selection, Origin.CACHE, cause, lastResolved.orElse(null), hold);
  }

  /** The same loaded version under a hold of its own, released by closing the copy. */
  LoadedAsset heldAgain(LocalCache cache) {
    return new LoadedAsset(asset, dir, loaded, selection, origin, unreachable, lastResolved, cache.hold(asset.version()));
  }

  /** The same version and files, now confirmed by the store, under a hold of its own. */
  LoadedAsset confirmed(Instant resolved, LocalCache cache) {
    return new LoadedAsset(asset, dir, loaded, selection, Origin.STORE, null, resolved, cache.hold(asset.version()));
  }

  /** The id of the loaded version. */
  public Digest version() {
    return asset.version();
  }

  /** The loaded version's manifest; it lists every file of the version, loaded or not. */
  public AssetVersion asset() {
    return asset;
  }

  /** The folder holding the loaded files under their paths inside the asset. */
  public Path dir() {
    return dir;
  }

  /** Where this version came from: the store now, or the cache because the store was unreachable. */
  public Origin origin() {
    return origin;
  }

  /** Whether this was served from the cache because the store could not be reached. */
  public boolean stale() {
    return origin == Origin.CACHE;
  }

  /** Why the store could not be reached, if this was served from the cache. */
  public Optional<StoreException> staleCause() {
    return Optional.ofNullable(unreachable);
  }

  /**
   * When the alias was last resolved against the store: by this load, or, if this was served from
   * the cache, the last successful resolution this machine remembers (empty if it remembers none,
   * such as with a cache written before AMA recorded it).
   */
  public Optional<Instant> lastResolved() {
    return Optional.ofNullable(lastResolved);
  }

  /**
   * The local path of a loaded file.
   *
   * @param path the path inside the asset, such as {@code model.h5}
   * @throws NotFoundException if the version has no such file, or it was not loaded (a subset was
   *     selected); the message lists what was
   */
  public Path file(String path) {
    Optional<AssetFile> f = asset.file(path);
    if (f.isEmpty()) {
      throw new NotFoundException("asset " + asset + " has no file '" + path + "'; its files are: "
          + asset.files().stream().map(AssetFile::path).collect(Collectors.joining(", ")));
    }
    if (!loaded.contains(f.get())) {
      throw new NotFoundException("file '" + path + "' of " + asset + " was not loaded: this load selected "
          + selection + ", which loaded " + loaded.stream().map(AssetFile::path).collect(Collectors.joining(", "))
          + ". Load it with a selection that includes it (FileSelection.include(\"" + path + "\")) or all files");
    }
    return AssetPaths.resolve(dir, path);
  }

  /** Every loaded file's local path, by path inside the asset; only the selected files if a subset was loaded. */
  public Map<String, Path> files() {
    Map<String, Path> out = new LinkedHashMap<>();
    loaded.forEach(f -> out.put(f.path(), AssetPaths.resolve(dir, f.path())));
    return out;
  }

  /**
   * Releases this object's hold on its version, so the cache may evict it once no other holder is
   * left. Closing twice does nothing.
   */
  @Override
  public void close() {
    release.clean();
  }

  @Override
  public String toString() {
    return asset + " at " + dir + (stale() ? " (from the cache: store unreachable)" : "");
  }
}
