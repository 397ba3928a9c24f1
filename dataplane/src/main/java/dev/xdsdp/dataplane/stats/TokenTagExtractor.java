package dev.xdsdp.dataplane.stats;

import java.util.BitSet;
import java.util.List;

/**
 * Envoy's tokenized extractor ({@code TagExtractorTokensImpl}): a dotted pattern where {@code $}
 * captures one token, {@code *} matches one token and {@code **} any number of tokens, e.g.
 * {@code cluster.$.**}. The captured token is removed together with one adjacent dot.
 */
final class TokenTagExtractor implements TagExtractor {

  private final String name;
  private final String[] tokens;
  private final int matchIndex;
  private final String prefix;

  TokenTagExtractor(String name, String pattern) {
    this.name = name;
    this.tokens = pattern.split("\\.", -1);
    int index = -1;
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i].equals("$")) {
        index = i;
        break;
      }
    }
    if (index < 0) {
      throw new IllegalArgumentException("no $ token in " + pattern);
    }
    this.matchIndex = index;
    String first = tokens[0];
    this.prefix = first.equals("$") || first.equals("*") || first.equals("**") ? "" : first;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String prefixToken() {
    return prefix;
  }

  @Override
  public boolean extractTag(Context context, List<Tag> tags, BitSet remove) {
    String[] input = context.tokens();
    int[] found = {-1, -1}; // start char, matched input token
    if (!search(input, 0, 0, 0, found)) {
      return false;
    }
    int start = found[0];
    int matchInput = found[1];
    String value = input[matchInput];
    int end = start + value.length();
    if (matchInput < input.length - 1) {
      end++; // the dot before the next token
    } else if (start > 0) {
      start--; // the dot before the last token
    }
    tags.add(new Tag(name, value));
    remove.set(start, end);
    return true;
  }

  private boolean search(String[] input, int inputIndex, int patternIndex, int charIndex, int[] found) {
    for (; inputIndex < input.length && patternIndex < tokens.length; ++inputIndex, ++patternIndex) {
      if (patternIndex == matchIndex) {
        found[0] = charIndex;
        found[1] = inputIndex;
        // Envoy does not advance charIndex past the captured token; nothing after uses it.
      } else {
        String expected = tokens[patternIndex];
        if (expected.equals("**")) {
          if (patternIndex == tokens.length - 1) {
            return true;
          }
          // A "**" in the middle must find the rest of the pattern at some later position.
          ++patternIndex;
          for (; inputIndex < input.length; ++inputIndex) {
            if (search(input, inputIndex, patternIndex, charIndex, found)) {
              return true;
            }
            charIndex += input[inputIndex].length() + 1;
          }
          return false;
        }
        if (!expected.equals("*") && !expected.equals(input[inputIndex])) {
          return false;
        }
        charIndex += input[inputIndex].length() + 1;
      }
    }
    return patternIndex == tokens.length && inputIndex == input.length;
  }
}
