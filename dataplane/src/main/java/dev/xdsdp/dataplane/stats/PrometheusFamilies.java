package dev.xdsdp.dataplane.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Envoy's grouping of stats into Prometheus metric families ({@code outputStatType} in
 * {@code prometheus_stats.cc}): counters, then gauges, then histograms; within each kind one family
 * per tag-extracted name, families and their members ordered token by token as Envoy's symbol
 * table orders stat names.
 */
final class PrometheusFamilies {

  /** One family: the Prometheus metric name and its stats, which differ only in their tags. */
  record Family(String name, StatType type, List<? extends Metric> metrics) {}

  private PrometheusFamilies() {}

  /**
   * Orders dotted names token by token ({@code SymbolTable::lessThan}): comparing characters with
   * the dot below every other character, and the end of a name below the dot, gives the same order
   * without splitting.
   */
  static final Comparator<String> TOKEN_ORDER = (a, b) -> {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(i);
      char cb = b.charAt(i);
      if (ca != cb) {
        return rank(ca) - rank(cb);
      }
    }
    return Integer.compare(a.length(), b.length());
  };

  private static int rank(char c) {
    return c == '.' ? -1 : c;
  }

  static List<Family> families(StatsStore store, Predicate<Metric> show) {
    List<Family> out = new ArrayList<>();
    group(store, out, store.counters(), StatType.COUNTER, show);
    group(store, out, store.gauges(), StatType.GAUGE, show);
    group(store, out, store.histograms(), StatType.HISTOGRAM, show);
    return out;
  }

  private static <M extends Metric> void group(StatsStore store, List<Family> out, List<M> metrics,
      StatType type, Predicate<Metric> show) {
    Map<String, List<M>> groups = new TreeMap<>(TOKEN_ORDER);
    for (M m : metrics) {
      if (show.test(m)) {
        groups.computeIfAbsent(m.tagExtractedName(), k -> new ArrayList<>()).add(m);
      }
    }
    for (Map.Entry<String, List<M>> g : groups.entrySet()) {
      String name = metricName(store, g.getKey());
      if (name == null) {
        continue;
      }
      List<M> members = g.getValue();
      members.sort(Comparator.comparing(Metric::name, TOKEN_ORDER));
      out.add(new Family(name, type, List.copyOf(members)));
    }
  }

  /**
   * {@code envoy_} plus the sanitized tag-extracted name; for a registered custom namespace the
   * name without the namespace and without {@code envoy_}, or null when that would not be a valid
   * metric name.
   */
  static String metricName(StatsStore store, String tagExtractedName) {
    String stripped = store.stripCustomNamespace(tagExtractedName);
    if (stripped != null) {
      String sanitized = sanitizeName(stripped);
      if (sanitized.isEmpty() || Character.isDigit(sanitized.charAt(0))) {
        return null;
      }
      return sanitized;
    }
    return "envoy_" + sanitizeName(tagExtractedName);
  }

  /** Every code point outside {@code [a-zA-Z0-9_]} becomes {@code _}. */
  static String sanitizeName(String name) {
    boolean clean = true;
    for (int i = 0; i < name.length() && clean; i++) {
      char c = name.charAt(i);
      clean = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    if (clean) {
      return name;
    }
    StringBuilder sb = new StringBuilder(name.length());
    name.codePoints().forEach(cp -> {
      boolean ok = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_';
      sb.append(ok ? (char) cp : '_');
    });
    return sb.toString();
  }

  /** Label values escape backslash, newline and double quote, as Prometheus' text format. */
  static String sanitizeValue(String value) {
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '"' -> sb.append("\\\"");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** {@code name="value",...} for a stat's tags. */
  static String formattedTags(List<Tag> tags) {
    StringBuilder sb = new StringBuilder();
    for (Tag t : tags) {
      if (!sb.isEmpty()) {
        sb.append(',');
      }
      sb.append(sanitizeName(t.name())).append("=\"").append(sanitizeValue(t.value())).append('"');
    }
    return sb.toString();
  }
}
