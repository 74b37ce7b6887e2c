package dev.ama;

import java.util.List;
import java.util.Optional;

/**
 * Parameters of several versions side by side, from {@link AssetClient#compare}: one row per
 * flattened key ({@code training.yml:learning_rate}), keys whose values differ first.
 *
 * @param versions the compared versions, one column each
 * @param rows one per key
 */
public record Comparison(List<AssetVersion> versions, List<Row> rows) {
  /** Copies the lists. */
  public Comparison {
    versions = List.copyOf(versions);
    rows = List.copyOf(rows);
  }

  /** The rows whose values are not all equal. */
  public List<Row> differing() {
    return rows.stream().filter(Row::differs).toList();
  }

  /**
   * One key across the versions.
   *
   * @param key {@code file:key}, or just the key when one file was compared
   * @param values one per version, empty where the version lacks the key
   * @param differs whether the values are not all equal
   */
  public record Row(String key, List<Optional<String>> values, boolean differs) {
    /** Copies the list. */
    public Row {
      values = List.copyOf(values);
    }
  }
}
