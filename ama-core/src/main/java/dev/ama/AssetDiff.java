package dev.ama;

import java.util.List;
import java.util.Optional;

/**
 * What changed between two asset versions: files added, removed, changed and renamed, and for
 * changed YAML and JSON files, the parameters that changed. From {@link AssetClient#diff}.
 *
 * @param from the older side
 * @param to the newer side
 * @param added files only in {@code to}
 * @param removed files only in {@code from}
 * @param changed files at the same path with different bytes
 * @param renamed files whose bytes moved to a new path
 * @param unchanged how many files are identical at the same path
 */
public record AssetDiff(
    AssetVersion from,
    AssetVersion to,
    List<AssetFile> added,
    List<AssetFile> removed,
    List<FileChange> changed,
    List<Rename> renamed,
    int unchanged) {

  /** Copies the lists. */
  public AssetDiff {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    changed = List.copyOf(changed);
    renamed = List.copyOf(renamed);
  }

  /** Whether the two versions are of different asset types (allowed, but worth saying). */
  public boolean typesDiffer() {
    return !from.type().equals(to.type());
  }

  /** Whether the versions hold exactly the same files at the same paths. */
  public boolean filesEqual() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && renamed.isEmpty();
  }

  /**
   * A file at the same path with different bytes.
   *
   * @param path the path in both versions
   * @param before the file in {@code from}
   * @param after the file in {@code to}
   * @param parameters key-level changes, for YAML and JSON files that both parse
   * @param note why there is no parameter diff, when a YAML or JSON file could not be parsed
   */
  public record FileChange(
      String path, AssetFile before, AssetFile after, List<ParameterChange> parameters, Optional<String> note) {
    /** Copies the list. */
    public FileChange {
      parameters = List.copyOf(parameters);
    }
  }

  /**
   * One parameter that differs, such as {@code learning_rate 0.001 → 0.0005}.
   *
   * @param key the flattened key: {@code optimizer.lr}, {@code layers[2].units}
   * @param before the value in {@code from}, empty if the key is new
   * @param after the value in {@code to}, empty if the key was removed
   */
  public record ParameterChange(String key, Optional<String> before, Optional<String> after) {
    @Override
    public String toString() {
      return key + ": " + before.orElse("(absent)") + " → " + after.orElse("(absent)");
    }
  }

  /**
   * Identical bytes under a new path.
   *
   * @param from the path in {@code from}
   * @param to the path in {@code to}
   * @param digest the bytes' digest
   */
  public record Rename(String from, String to, Digest digest) {}
}
