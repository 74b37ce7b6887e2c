package dev.ama;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a download did to its folder. Paths are relative to the folder and {@code /}-separated, as
 * in the asset; the files of refs are under {@code refs/<type>/<alias>/}.
 *
 * @param folder the folder downloaded into
 * @param written the files written, each renamed into place only once complete
 * @param replaced those of {@code written} that replaced a file holding other content, which only
 *     {@link AssetDownload#force()} allows; each was swapped by one rename, so a download killed
 *     on the way leaves each of them either entirely old or entirely new
 * @param unchanged the files that already held the right content and were left as they were
 */
public record DownloadResult(Path folder, List<String> written, List<String> replaced, List<String> unchanged) {
  /** Copies the lists. */
  public DownloadResult {
    Objects.requireNonNull(folder, "folder");
    written = List.copyOf(written);
    replaced = List.copyOf(replaced);
    unchanged = List.copyOf(unchanged);
  }
}
