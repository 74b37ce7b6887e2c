package dev.ama;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A download being set up: which version (by alias or any selector), which of its files, whether
 * its refs come along, whether existing files may be overwritten. Obtained from {@link AssetClient#download(String, String)} or {@link
 * AssetClient#download(AssetVersion)}.
 */
public final class AssetDownload {
  private final Downloader downloader;
  private final Supplier<AssetVersion> version;
  private boolean withRefs;
  private boolean force;
  private FileSelection selection = FileSelection.all();

  /** @param version resolves the version when the download starts, once */
  AssetDownload(Downloader downloader, Supplier<AssetVersion> version) {
    this.downloader = downloader;
    this.version = Objects.requireNonNull(version, "version");
  }

  /**
   * Also downloads the versions this one refs, transitively, each into {@code
   * refs/<type>/<alias>/} of the target folder.
   */
  public AssetDownload withRefs() {
    this.withRefs = true;
    return this;
  }

  /**
   * Downloads only the version's files matching any of these glob patterns (see {@link
   * FileSelection} for the syntax), such as a server's {@code model.h5} without the checkpoint
   * beside it. The versions of {@link #withRefs()} still come whole. Calling it again replaces the
   * patterns; none means every file.
   *
   * @throws InvalidInputException if a pattern is not a valid glob
   */
  public AssetDownload include(String... patterns) {
    return include(FileSelection.include(patterns));
  }

  /** Downloads only the selected files of the version; see {@link #include(String...)}. */
  public AssetDownload include(FileSelection selection) {
    this.selection = Objects.requireNonNull(selection, "selection");
    return this;
  }

  /**
   * Overwrites files in the target folder that hold different content, instead of refusing. Each
   * is replaced by one rename of its complete new version, so a download killed on the way leaves
   * each file either entirely old or entirely new, never truncated; the folder as a whole may then
   * hold some old and some new files until the download is run again. Files of the folder that the
   * version does not have are left alone.
   */
  public AssetDownload force() {
    this.force = true;
    return this;
  }

  /**
   * Downloads into a folder, created if missing: the asset's files directly in it. Every file is
   * verified against its digest and renamed into place only when complete; files already there
   * with the right content are left as they are.
   *
   * @return the folder
   * @throws NotFoundException if the version, or a version it refs, is not in the store
   * @throws ConflictException if the folder holds different files under the same names and
   *     {@link #force()} was not called; nothing was written then
   * @throws IntegrityException if the store's bytes do not match their digests
   * @throws StoreException if the store failed; files already placed are complete and correct
   * @throws LocalFileException if the folder cannot be written
   */
  public Path to(Path folder) {
    return into(folder).folder();
  }

  /**
   * Downloads into a folder, as {@link #to(Path)} does, and says what it did: the files written,
   * those that replaced other content ({@link #force()}), and those left as they were. Temporary
   * files that killed downloads left in the folder are removed first; a live download's are kept.
   *
   * @throws InvalidInputException if a folder inside the target folder that a file would be placed
   *     in is a symbolic link; nothing was written then
   * @throws IntegrityException if the store's bytes do not match their digests, or a file name in
   *     the manifest is longer than a file system holds (255 bytes)
   * @see #to(Path) for the other failures
   */
  public DownloadResult into(Path folder) {
    Objects.requireNonNull(folder, "folder");
    return downloader.download(version.get(), selection, withRefs, force, folder);
  }

  /**
   * Downloads one file of the version to a path that names the file itself, such as {@code
   * models/mainModel.pth} where a retraining container expects its starting model. The file is
   * verified and renamed into place only when complete; one already there with the right content
   * is left as it is; one with other content is refused unless {@link #force()}. Folders on the
   * way are created.
   *
   * @param path the file's path inside the asset, such as {@code model.pth}
   * @param destination the local file to write
   * @return what was done, with {@code destination}'s folder as the result's folder
   * @throws NotFoundException if the version has no such file; the message lists its files
   * @throws InvalidInputException if {@code destination} is a folder, or {@link #withRefs()} or
   *     {@link #include} was asked for, which do not apply to one file; nothing was written
   * @throws ConflictException if {@code destination} holds other content and {@link #force()} was
   *     not called; nothing was written
   * @see #to(Path) for the other failures
   */
  public DownloadResult fileTo(String path, Path destination) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(destination, "destination");
    if (withRefs || !selection.isAll()) {
      throw new InvalidInputException("fileTo(" + path + ", " + destination + ") writes one file, so "
          + (withRefs ? "withRefs()" : "include(" + String.join(", ", selection.patterns()) + ")") + " does not apply."
          + " Nothing was written; download the refs or other files into a folder with into(folder)");
    }
    return downloader.downloadFile(version.get(), path, force, destination.toAbsolutePath());
  }
}
