package dev.xdsdp.xds.bootstrap;

import java.util.Collection;

/** "Did you mean" for misspelt field names, enum values and type names. */
final class Suggestions {

  private Suggestions() {}

  /**
   * The candidate closest to {@code input} by edit distance, or null when none is close enough to
   * be a plausible typo (a short word allows 2 edits, a longer one about a quarter of its length).
   */
  static String closest(String input, Collection<String> candidates) {
    int limit = Math.max(2, input.length() / 4);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      if (Math.abs(candidate.length() - input.length()) > limit) {
        continue;
      }
      int d = distance(input, candidate, limit);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return bestDistance <= limit ? best : null;
  }

  /** Levenshtein distance, giving up (returning limit + 1) once a row exceeds the limit. */
  static int distance(String a, String b, int limit) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      int rowMin = cur[0];
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        rowMin = Math.min(rowMin, cur[j]);
      }
      if (rowMin > limit) {
        return limit + 1;
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
