package dev.ama.cli;

import dev.ama.FileSelection;
import dev.ama.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code --include} and {@code --exclude} globs of {@code ama add} and {@code ama import},
 * in the one glob language of the CLI ({@link FileSelection}, as {@code ama download --include}),
 * matched against paths in the asset. Remembers which include patterns matched something, so that
 * a typo is refused rather than quietly choosing nothing.
 */
final class PathGlobs {
  private final List<String> includes;
  private final List<FileSelection> includeSelections = new ArrayList<>();
  private final List<String> excludes;
  private final List<FileSelection> excludeSelections = new ArrayList<>();
  private final boolean[] includeUsed;

  /** @throws InvalidInputException if a glob is empty or invalid */
  PathGlobs(List<String> includes, List<String> excludes) {
    this.includes = List.copyOf(includes);
    this.excludes = List.copyOf(excludes);
    for (String p : includes) {
      includeSelections.add(FileSelection.include(List.of(p)));
    }
    for (String p : excludes) {
      try {
        excludeSelections.add(FileSelection.include(List.of(p)));
      } catch (InvalidInputException e) {
        throw new InvalidInputException("--exclude: " + e.getMessage().replace("include pattern", "pattern"));
      }
    }
    this.includeUsed = new boolean[includes.size()];
  }

  /** Why a folder is left out with everything in it, if an exclude pattern matches its path. */
  Optional<String> folderLeftOut(String assetPath) {
    for (int i = 0; i < excludes.size(); i++) {
      if (excludeSelections.get(i).matches(assetPath)) {
        return Optional.of("matches --exclude '" + excludes.get(i) + "'");
      }
    }
    return Optional.empty();
  }

  /** Why a file is left out, if it is: an exclude pattern matches it, or no include pattern does. */
  Optional<String> fileLeftOut(String assetPath) {
    Optional<String> excluded = folderLeftOut(assetPath);
    if (excluded.isPresent() || includes.isEmpty()) {
      return excluded;
    }
    boolean selected = false;
    for (int i = 0; i < includes.size(); i++) {
      if (includeSelections.get(i).matches(assetPath)) {
        includeUsed[i] = true;
        selected = true;
      }
    }
    return selected ? Optional.empty() : Optional.of("matches no --include");
  }

  boolean hasIncludes() {
    return !includes.isEmpty();
  }

  /** The include patterns that matched no file so far, in the order given. */
  List<String> unusedIncludes() {
    List<String> unused = new ArrayList<>();
    for (int i = 0; i < includes.size(); i++) {
      if (!includeUsed[i]) {
        unused.add(includes.get(i));
      }
    }
    return unused;
  }

  /** The refusal of include patterns that matched nothing, {@code where} saying what was searched. */
  static String unusedMessage(List<String> unused, String where) {
    return "the --include pattern" + (unused.size() == 1 ? " '" + unused.get(0) + "' matches"
        : "s '" + String.join("', '", unused) + "' match") + " no file " + where;
  }
}
