package dev.ama;

import java.nio.file.Path;

/**
 * A download being set up: which version (by alias or any selector), whether its refs come along, whether existing files may
 * be overwritten. Obtained from {@link AssetClient#download(String, String)}.
 */
public final class AssetDownload {
  private final AssetClient client;
  private final String type;
  private final String selector;
  private boolean withRefs;
  private boolean force;

  AssetDownload(AssetClient client, String type, String selector) {
    this.client = client;
    this.type = Names.checkType(type);
    this.selector = java.util.Objects.requireNonNull(selector, "selector");
  }

  /**
   * Also downloads the versions this one refs, transitively, each into {@code
   * refs/<type>/<alias>/} of the target folder.
   */
  public AssetDownload withRefs() {
    this.withRefs = true;
    return this;
  }

  /** Overwrites files in the target folder that hold different content, instead of refusing. */
  public AssetDownload force() {
    this.force = true;
    return this;
  }

  /**
   * Downloads into a folder, created if missing: the asset's files directly in it. Every file is
   * verified against its digest and renamed into place only when complete.
   *
   * @return the folder
   * @throws ConflictException if the folder holds different files under the same names and
   *     {@link #force()} was not called; nothing was written then
   */
  public Path to(Path folder) {
    return client.downloadTo(type, selector, withRefs, force, folder);
  }
}
