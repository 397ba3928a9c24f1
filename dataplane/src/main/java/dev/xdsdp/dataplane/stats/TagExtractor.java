package dev.xdsdp.dataplane.stats;

import java.util.BitSet;
import java.util.List;

/**
 * Pulls one tag out of a stat name (Envoy's {@code TagExtractor}). Every extractor looks at the
 * full original name; the characters each one claims are collected in {@code remove} and cut out
 * together at the end, which yields the tag-extracted name.
 */
interface TagExtractor {

  /** The tag name, e.g. {@code envoy.cluster_name}. */
  String name();

  /**
   * The first dot-separated token a name must start with for this extractor to apply, or empty.
   * The producer only runs prefixed extractors on names with that first token.
   */
  String prefixToken();

  /** Adds the tag and marks the characters to remove; returns whether it matched. */
  boolean extractTag(Context context, List<Tag> tags, BitSet remove);

  /** The name being tagged, with its dot-separated tokens split once on demand. */
  final class Context {
    private final String name;
    private String[] tokens;

    Context(String name) {
      this.name = name;
    }

    String name() {
      return name;
    }

    String[] tokens() {
      if (tokens == null) {
        tokens = name.split("\\.", -1);
      }
      return tokens;
    }
  }

  /**
   * The literal first token of an anchored regex ({@code ^cluster\.} gives {@code cluster}), as
   * Envoy's {@code TagExtractorImplBase::extractRegexPrefix}.
   */
  static String regexPrefix(String regex) {
    if (!regex.startsWith("^")) {
      return "";
    }
    for (int i = 1; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_') {
        if (i > 1) {
          boolean lastChar = i == regex.length() - 1;
          String rest = regex.substring(i);
          if ((!lastChar && (rest.startsWith("\\.") || rest.startsWith("(?=\\.)")))
              || (lastChar && c == '$')) {
            return regex.substring(1, i);
          }
        }
        return "";
      }
    }
    return "";
  }
}
