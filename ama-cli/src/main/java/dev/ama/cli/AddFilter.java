package dev.ama.cli;

import dev.ama.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.ignore.FastIgnoreRule;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * Which of the files found in a folder {@code ama add} leaves out, and why: {@code .git/} and
 * {@code .ama/} always; what {@code .amaignore} files ignore (gitignore syntax, read by JGit, so
 * the rules are git's own: the last matching line wins, {@code !} re-includes, a leading or inner
 * {@code /} anchors to the file's folder, a trailing {@code /} matches folders only); what {@code
 * --exclude} matches; and, when {@code --include} is given, what it does not match.
 *
 * <p>As in git, an {@code .amaignore} applies to its own folder and everything below it, and the
 * deepest one with a matching line decides. The files considered are those in the working folder
 * and in each folder between it and the file, or, for a folder outside the working folder, in
 * that folder and below. {@code --include} and {@code --exclude} use the glob language of {@code
 * ama download --include} ({@link FileSelection}), matched against the path in the asset.
 */
final class AddFilter {
  static final String IGNORE_FILE = ".amaignore";
  /** Folders never staged: git's and ama's own. */
  static final Set<String> ALWAYS_LEFT_OUT = Set.of(".git", StageStore.DIR);

  /** A file or folder left out: its path as shown (a folder's ends in '/') and why. */
  record Left(String path, String why) {
    boolean folder() {
      return path.endsWith("/");
    }
  }

  private final Path workDir;
  private final boolean force;
  private final PathGlobs globs;
  private final Map<Path, Optional<IgnoreNode>> nodes = new HashMap<>();

  /** @param force leave .amaignore files unread ({@code ama add -f}) */
  AddFilter(Path workDir, boolean force, PathGlobs globs) {
    this.workDir = workDir.toAbsolutePath().normalize();
    this.force = force;
    this.globs = globs;
  }

  /**
   * Why a folder met inside a folder being added is left out with everything below it, if it is.
   *
   * @param dir the folder as walked
   * @param assetPath its path in the asset, without a trailing '/'
   * @param top the folder being added
   */
  Optional<String> folderLeftOut(Path dir, String assetPath, Path top) {
    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
    if (ALWAYS_LEFT_OUT.contains(name)) {
      return Optional.of("never staged");
    }
    Optional<String> ignored = ignoredBy(dir, true, top);
    return ignored.isPresent() ? ignored : globs.folderLeftOut(assetPath);
  }

  /** Why a file met inside a folder being added is left out, if it is; see {@link #folderLeftOut}. */
  Optional<String> fileLeftOut(Path file, String assetPath, Path top) {
    Optional<String> ignored = ignoredBy(file, false, top);
    return ignored.isPresent() ? ignored : globs.fileLeftOut(assetPath);
  }

  /**
   * Refuses a file or folder named as an argument that an .amaignore ignores, as {@code git add}
   * does, unless forced; a name inside {@code .git/} or {@code .ama/} is refused even then.
   * --include and --exclude choose among a folder's files and do not apply to a name given.
   */
  void checkNamed(String name, Path path, boolean isDir) {
    Path absolute = path.toAbsolutePath().normalize();
    if (absolute.startsWith(workDir)) {
      for (Path p : workDir.relativize(absolute)) {
        if (ALWAYS_LEFT_OUT.contains(p.toString())) {
          throw new InvalidInputException("cannot add '" + name + "': it is inside " + p + "/, which ama never"
              + " stages (git's and ama's own folders); copy the file elsewhere to stage it");
        }
      }
    }
    Path top = absolute.startsWith(workDir) ? workDir : absolute.getParent();
    Optional<String> why = top == null ? Optional.empty() : ignoredWithParents(absolute, isDir, top);
    why.ifPresent(w -> {
      throw new InvalidInputException("cannot add '" + name + "': it is " + w + "; add it anyway with: ama add -f "
          + name + ", or change that file");
    });
  }

  /** The globs, which say which include patterns matched nothing. */
  PathGlobs globs() {
    return globs;
  }

  /** An explicit name is ignored also when a folder on its way is: git never looks inside one. */
  private Optional<String> ignoredWithParents(Path path, boolean isDir, Path top) {
    if (!path.startsWith(top) || path.equals(top)) {
      return Optional.empty();
    }
    Path dir = top;
    for (Path segment : top.relativize(path.getParent() == null ? top : path.getParent())) {
      dir = dir.resolve(segment);
      Optional<String> why = ignoredBy(dir, true, top);
      if (why.isPresent()) {
        return Optional.of(why.get() + ", in " + display(dir) + "/");
      }
    }
    return ignoredBy(path, isDir, top);
  }

  /**
   * Why the deepest .amaignore with a matching line, from the file's folder up to {@code top},
   * ignores the path; empty if it re-includes it ({@code !}) or none matches.
   */
  private Optional<String> ignoredBy(Path path, boolean isDir, Path top) {
    if (force) {
      return Optional.empty();
    }
    for (Path dir = path.getParent(); dir != null && dir.startsWith(top); dir = dir.getParent()) {
      Optional<IgnoreNode> node = node(dir);
      if (node.isPresent()) {
        String relative = slashed(dir.relativize(path));
        List<FastIgnoreRule> rules = node.get().getRules();
        for (int i = rules.size() - 1; i >= 0; i--) {
          FastIgnoreRule rule = rules.get(i);
          if (rule.isMatch(relative, isDir, true)) {
            return rule.getResult()
                ? Optional.of("ignored by " + display(dir.resolve(IGNORE_FILE)) + " ('" + rule + "')")
                : Optional.empty();
          }
        }
      }
      if (dir.equals(top)) {
        break;
      }
    }
    return Optional.empty();
  }

  private Optional<IgnoreNode> node(Path dir) {
    return nodes.computeIfAbsent(dir, d -> {
      Path file = d.resolve(IGNORE_FILE);
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      IgnoreNode node = new IgnoreNode();
      try (InputStream in = Files.newInputStream(file)) {
        node.parse(file.toString(), in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage()
            + "; fix its permissions, or give -f to add without .amaignore files", e);
      }
      return Optional.of(node);
    });
  }

  private String display(Path path) {
    return path.startsWith(workDir) ? slashed(workDir.relativize(path)) : path.toString();
  }

  private static String slashed(Path relative) {
    List<String> segments = new ArrayList<>();
    relative.forEach(s -> segments.add(s.toString()));
    return String.join("/", segments);
  }
}
