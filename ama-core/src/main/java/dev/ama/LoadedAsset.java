package dev.ama;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An asset version present on local disk, in the local cache, ready for serving code to open its
 * files. The files are shared with other users of the cache: treat them as read-only.
 */
public final class LoadedAsset {
  private final AssetVersion asset;
  private final Path dir;

  LoadedAsset(AssetVersion asset, Path dir) {
    this.asset = asset;
    this.dir = dir;
  }

  /** The id of the loaded version. */
  public Digest version() {
    return asset.version();
  }

  /** The loaded version's manifest. */
  public AssetVersion asset() {
    return asset;
  }

  /** The folder holding the files under their paths inside the asset. */
  public Path dir() {
    return dir;
  }

  /**
   * The local path of a file of the asset.
   *
   * @param path the path inside the asset, such as {@code model.h5}
   * @throws NotFoundException if the version has no such file; the message lists the files
   */
  public Path file(String path) {
    if (asset.file(path).isEmpty()) {
      throw new NotFoundException("asset " + asset + " has no file '" + path + "'; its files are: "
          + asset.files().stream().map(AssetFile::path).collect(Collectors.joining(", ")));
    }
    return AssetPaths.resolve(dir, path);
  }

  /** Every file's local path, by path inside the asset. */
  public Map<String, Path> files() {
    Map<String, Path> out = new LinkedHashMap<>();
    asset.files().forEach(f -> out.put(f.path(), AssetPaths.resolve(dir, f.path())));
    return out;
  }

  @Override
  public String toString() {
    return asset + " at " + dir;
  }
}
