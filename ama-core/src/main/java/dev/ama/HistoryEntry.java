package dev.ama;

import java.util.Objects;

/**
 * One move of an alias with what became of the version it names; see {@link
 * AssetClient#historyStatus(String, String)}.
 *
 * @param entry the alias log entry, which garbage collection never removes
 * @param state whether the version is still stored
 */
public record HistoryEntry(AliasEntry entry, State state) {
  /** Validates the fields. */
  public HistoryEntry {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(state, "state");
  }

  /** What became of an entry's version. */
  public enum State {
    /** Its manifest is in the store. */
    STORED,
    /** Garbage collection removed it, as a retention policy allowed. */
    COLLECTED,
    /** Its manifest is missing although no gc removed it: the store was damaged. */
    MISSING
  }

  /** Whether garbage collection removed the entry's version. */
  public boolean collected() {
    return state == State.COLLECTED;
  }
}
