package dev.ama;

import java.util.Objects;

/**
 * One file of an asset version.
 *
 * @param path where the file sits inside the asset: relative, {@code /}-separated, normalized
 * @param digest the digest of its bytes, under which the blob is stored
 * @param size its length in bytes
 */
public record AssetFile(String path, Digest digest, long size) {
  /** Validates the fields. */
  public AssetFile {
    AssetPaths.check(path);
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("size of " + path + " is negative");
    }
  }
}
