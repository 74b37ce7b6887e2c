package dev.ama.internal;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Near names for "did you mean" hints in error messages: a small edit distance (a third of the
 * name's length, at least 2), one name inside the other (for names of 3 characters or more, since
 * a letter or two is inside almost anything), or the same letters in another case. The one rule for
 * the library's not-found errors and the storage options' unknown keys.
 */
public final class NearNames {
  private static final int MAX = 3;

  private NearNames() {}

  /** Up to three candidates close to the name, nearest first. */
  public static List<String> near(String name, Collection<String> candidates) {
    int limit = Math.max(2, name.length() / 3);
    return candidates.stream()
        .filter(c -> !c.equals(name))
        .filter(c -> distance(fold(name), fold(c)) <= limit
            || name.length() >= 3 && (fold(c).contains(fold(name)) || fold(name).contains(fold(c))))
        .sorted(Comparator.comparingInt((String c) -> distance(fold(name), fold(c))).thenComparing(c -> c))
        .limit(MAX)
        .toList();
  }

  /** {@code ". Did you mean 'a' or 'b'?"}, or the empty string; it ends a message. */
  public static String didYouMean(List<String> near) {
    if (near.isEmpty()) {
      return "";
    }
    return ". Did you mean " + String.join(" or ", near.stream().map(s -> "'" + s + "'").toList()) + "?";
  }

  private static String fold(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
