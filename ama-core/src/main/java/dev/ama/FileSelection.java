package dev.ama;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Which files of a version to fetch: all of them, or those matching any of a list of glob
 * patterns ({@code --include}). A pattern without a {@code /} matches a file's name at any depth
 * ({@code *.h5} matches {@code model.h5} and {@code ckpt/model.h5}), as rsync's and rclone's
 * filters do; a pattern with one matches the whole path inside the asset ({@code ckpt/*.pt}).
 * {@code *} and {@code ?} stay within one name, {@code **} crosses folders, and {@code [..]} and
 * {@code {a,b}} work as in {@link java.nio.file.FileSystem#getPathMatcher}.
 *
 * <p>A selection that leaves a pattern matching nothing is refused, so a typo never quietly
 * fetches less than the caller meant.
 */
public final class FileSelection {
  private static final FileSelection ALL = new FileSelection(List.of(), List.of());

  private final List<String> patterns;
  private final List<PathMatcher> matchers;

  private FileSelection(List<String> patterns, List<PathMatcher> matchers) {
    this.patterns = patterns;
    this.matchers = matchers;
  }

  /** Every file of the version. */
  public static FileSelection all() {
    return ALL;
  }

  /**
   * The files matching any of the patterns; no pattern at all means every file.
   *
   * @throws InvalidInputException if a pattern is empty or not a valid glob
   */
  public static FileSelection include(List<String> patterns) {
    Objects.requireNonNull(patterns, "patterns");
    if (patterns.isEmpty()) {
      return ALL;
    }
    List<PathMatcher> matchers = new ArrayList<>();
    for (String p : patterns) {
      if (p == null || p.isBlank()) {
        throw new InvalidInputException("an include pattern is empty; give a glob such as '*.h5' or 'ckpt/**'");
      }
      String glob = p.startsWith("/") ? p.substring(1) : p;
      String full = glob.contains("/") ? glob : "**/" + glob;
      try {
        PathMatcher whole = FileSystems.getDefault().getPathMatcher("glob:" + full);
        // "**/x" needs a folder before x; a top-level x is matched by the bare pattern.
        PathMatcher bare = glob.contains("/") ? whole : FileSystems.getDefault().getPathMatcher("glob:" + glob);
        matchers.add(path -> whole.matches(path) || bare.matches(path));
      } catch (PatternSyntaxException e) {
        throw new InvalidInputException("the include pattern '" + p + "' is not a valid glob: " + e.getDescription()
            + " at index " + e.getIndex() + ". Write it as in '*.h5', 'ckpt/**' or 'model.{h5,yml}'");
      }
    }
    return new FileSelection(List.copyOf(patterns), List.copyOf(matchers));
  }

  /** The selection of {@link #include(List)}. */
  public static FileSelection include(String... patterns) {
    return include(List.of(patterns));
  }

  /** Whether this selects every file. */
  public boolean isAll() {
    return matchers.isEmpty();
  }

  /** The patterns, as given; empty for every file. */
  public List<String> patterns() {
    return patterns;
  }

  /** Whether a path inside an asset, such as {@code ckpt/model.h5}, is selected. */
  public boolean matches(String assetPath) {
    if (isAll()) {
      return true;
    }
    Path p = Path.of(assetPath);
    for (PathMatcher m : matchers) {
      if (m.matches(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The selected files of a version, in the manifest's order.
   *
   * @throws NotFoundException if a pattern matches none of the version's files; the message lists
   *     them
   */
  public List<AssetFile> select(AssetVersion version) {
    if (isAll()) {
      return version.files();
    }
    List<AssetFile> out = version.files().stream().filter(f -> matches(f.path())).toList();
    for (int i = 0; i < patterns.size(); i++) {
      PathMatcher m = matchers.get(i);
      if (version.files().stream().noneMatch(f -> m.matches(Path.of(f.path())))) {
        throw new NotFoundException("the include pattern '" + patterns.get(i) + "' matches no file of " + version
            + "; its files are: " + listing(version) + ". Nothing was fetched; correct the pattern");
      }
    }
    return out;
  }

  /** A version's file paths for a message, the first twenty and how many more. */
  static String listing(AssetVersion v) {
    List<AssetFile> files = v.files();
    String shown = files.stream().limit(20).map(AssetFile::path).collect(Collectors.joining(", "));
    return files.size() > 20 ? shown + " and " + (files.size() - 20) + " more" : shown;
  }

  @Override
  public String toString() {
    return isAll() ? "all files" : "files matching " + String.join(", ", patterns);
  }
}
