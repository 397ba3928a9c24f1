package dev.xdsdp.dataplane.stats;

import java.util.BitSet;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * A regex extractor. The first capture group is the part removed from the name; the second, when
 * present and non-empty, is the tag value (otherwise the first is).
 *
 * <p>Two flavours, as in Envoy: the built-in rules are RE2 patterns that need two groups, may
 * require a substring first and may refuse one value ({@code admin}); user {@code stats_tags}
 * regexes are compiled by Envoy with {@code std::regex} (ECMAScript), so lookaheads are legal in
 * them (Istio's bootstrap uses {@code ^listener(?=\.)}). Those are compiled with RE2/J when it
 * accepts them and otherwise with {@code java.util.regex}, after rewriting POSIX bracket classes
 * such as {@code [:digit:]} that Java does not know.
 */
final class RegexTagExtractor implements TagExtractor {

  private final String name;
  private final String prefix;
  private final String substr;
  private final String negativeMatch;
  private final Matcher matcher;
  private final boolean builtin;

  private RegexTagExtractor(String name, String regex, String substr, String negativeMatch,
      Matcher matcher, boolean builtin) {
    this.name = name;
    this.prefix = TagExtractor.regexPrefix(regex);
    this.substr = substr;
    this.negativeMatch = negativeMatch;
    this.matcher = matcher;
    this.builtin = builtin;
  }

  /** A built-in (RE2) rule. */
  static RegexTagExtractor builtin(String name, String regex, String substr, String negativeMatch) {
    com.google.re2j.Pattern p = com.google.re2j.Pattern.compile(regex);
    return new RegexTagExtractor(name, regex, substr, negativeMatch, re2(p), true);
  }

  /** A {@code stats_tags} rule with a user regex. */
  static RegexTagExtractor custom(String name, String regex) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("tag_name cannot be empty");
    }
    if (regex.isEmpty()) {
      throw new IllegalArgumentException(
          "No regex specified for tag specifier and no default regex for name: '" + name + "'");
    }
    Matcher m;
    try {
      m = re2(com.google.re2j.Pattern.compile(regex));
    } catch (com.google.re2j.PatternSyntaxException re2Error) {
      try {
        m = jdk(java.util.regex.Pattern.compile(posixClassesToJava(regex)));
        System.getLogger("stats").log(System.Logger.Level.DEBUG,
            "stats_tags regex for {0} is not RE2 ({1}); using java.util.regex as Envoy uses std::regex",
            name, re2Error.getDescription());
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("Invalid regex '" + regex + "': " + e.getDescription(), e);
      }
    }
    return new RegexTagExtractor(name, regex, "", "", m, false);
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
    String stat = context.name();
    if (!substr.isEmpty() && !stat.contains(substr)) {
      return false;
    }
    Match m = matcher.find(stat);
    if (m == null) {
      return false;
    }
    if (builtin) {
      // RE2::PartialMatch with two outputs: needs two groups and a non-empty first group.
      if (m.groups() < 2 || m.start(1) < 0 || m.start(1) == m.end(1)) {
        return false;
      }
      String value = m.start(2) >= 0 && m.start(2) != m.end(2) ? m.group(2) : m.group(1);
      if (!negativeMatch.isEmpty() && negativeMatch.equals(value)) {
        return false;
      }
      tags.add(new Tag(name, value));
      remove.set(m.start(1), m.end(1));
      return true;
    }
    // std::regex_search: needs one group; the value is group 2 when the regex has one.
    if (m.groups() < 1) {
      return false;
    }
    String value = m.groups() >= 2 ? nullToEmpty(m.group(2)) : nullToEmpty(m.group(1));
    tags.add(new Tag(name, value));
    if (m.start(1) >= 0) {
      remove.set(m.start(1), m.end(1));
    }
    return true;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static final String[][] POSIX_CLASSES = {
    {"[:alnum:]", "\\p{Alnum}"}, {"[:alpha:]", "\\p{Alpha}"}, {"[:blank:]", "\\p{Blank}"},
    {"[:cntrl:]", "\\p{Cntrl}"}, {"[:digit:]", "\\p{Digit}"}, {"[:graph:]", "\\p{Graph}"},
    {"[:lower:]", "\\p{Lower}"}, {"[:print:]", "\\p{Print}"}, {"[:punct:]", "\\p{Punct}"},
    {"[:space:]", "\\p{Space}"}, {"[:upper:]", "\\p{Upper}"}, {"[:xdigit:]", "\\p{XDigit}"},
    {"[:w:]", "\\w"}, {"[:d:]", "\\d"}, {"[:s:]", "\\s"},
  };

  static String posixClassesToJava(String regex) {
    String out = regex;
    for (String[] c : POSIX_CLASSES) {
      out = out.replace(c[0], c[1]);
    }
    return out;
  }

  /** The little of a regex engine this class needs, so RE2/J and java.util.regex look alike. */
  private interface Matcher {
    Match find(String input);
  }

  private interface Match {
    int groups();

    int start(int group);

    int end(int group);

    String group(int group);
  }

  private static Matcher re2(com.google.re2j.Pattern p) {
    return input -> {
      com.google.re2j.Matcher m = p.matcher(input);
      if (!m.find()) {
        return null;
      }
      return new Match() {
        @Override
        public int groups() {
          return m.groupCount();
        }

        @Override
        public int start(int group) {
          return group <= m.groupCount() ? m.start(group) : -1;
        }

        @Override
        public int end(int group) {
          return group <= m.groupCount() ? m.end(group) : -1;
        }

        @Override
        public String group(int group) {
          return group <= m.groupCount() ? m.group(group) : null;
        }
      };
    };
  }

  private static Matcher jdk(java.util.regex.Pattern p) {
    return input -> {
      java.util.regex.Matcher m = p.matcher(input);
      if (!m.find()) {
        return null;
      }
      return new Match() {
        @Override
        public int groups() {
          return m.groupCount();
        }

        @Override
        public int start(int group) {
          return group <= m.groupCount() ? m.start(group) : -1;
        }

        @Override
        public int end(int group) {
          return group <= m.groupCount() ? m.end(group) : -1;
        }

        @Override
        public String group(int group) {
          return group <= m.groupCount() ? m.group(group) : null;
        }
      };
    };
  }
}
