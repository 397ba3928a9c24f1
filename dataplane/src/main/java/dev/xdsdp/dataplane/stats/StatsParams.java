package dev.xdsdp.dataplane.stats;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The query parameters of {@code /stats} and {@code /stats/prometheus}, parsed as Envoy's
 * {@code StatsParams}: {@code usedonly}, {@code filter} (RE2, searched anywhere in the full
 * name), {@code type}, {@code format} and {@code histogram_buckets}. The first value of a
 * repeated parameter wins.
 */
public record StatsParams(
    boolean usedOnly, Pattern filter, Type type, Format format, BucketsMode histogramBuckets) {

  /** {@code type=}: which stats to show. */
  public enum Type { ALL, COUNTERS, GAUGES, HISTOGRAMS, TEXT_READOUTS }

  /** {@code format=}. */
  public enum Format { TEXT, JSON, PROMETHEUS }

  /** {@code histogram_buckets=}; UNSET shows quantile summaries. */
  public enum BucketsMode { UNSET, SUMMARY, CUMULATIVE, DISJOINT, DETAILED }

  /** Thrown for a bad parameter; the message is Envoy's 400 body. */
  public static final class InvalidParamException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidParamException(String message) {
      super(message);
    }
  }

  public static StatsParams defaults() {
    return new StatsParams(false, null, Type.ALL, Format.TEXT, BucketsMode.UNSET);
  }

  /** Parses a raw query string (what follows {@code ?}, percent-encoded), or "" for none. */
  public static StatsParams parse(String query) throws InvalidParamException {
    Map<String, String> q = decodeQuery(query == null ? "" : query);
    boolean usedOnly = q.containsKey("usedonly");

    Pattern filter = null;
    String f = q.get("filter");
    if (f != null && !f.isEmpty()) {
      try {
        filter = Pattern.compile(f);
      } catch (PatternSyntaxException e) {
        throw new InvalidParamException("Invalid re2 regex");
      }
    }

    BucketsMode buckets = BucketsMode.UNSET;
    String hb = q.get("histogram_buckets");
    if (hb != null) {
      buckets = switch (hb) {
        case "cumulative" -> BucketsMode.CUMULATIVE;
        case "disjoint" -> BucketsMode.DISJOINT;
        case "detailed" -> BucketsMode.DETAILED;
        case "summary", "none" -> BucketsMode.SUMMARY;
        default -> throw new InvalidParamException(
            "usage: /stats?histogram_buckets=(cumulative|disjoint|detailed|summary|none)\n");
      };
    }

    Type type = Type.ALL;
    String t = q.get("type");
    if (t != null && !t.isEmpty()) {
      type = switch (t) {
        case "Counters" -> Type.COUNTERS;
        case "Gauges" -> Type.GAUGES;
        case "Histograms" -> Type.HISTOGRAMS;
        case "TextReadouts" -> Type.TEXT_READOUTS;
        case "All" -> Type.ALL;
        default -> throw new InvalidParamException("invalid &type= param");
      };
    }

    Format format = Format.TEXT;
    String fmt = q.get("format");
    if (fmt != null && !fmt.isEmpty()) {
      format = switch (fmt) {
        case "prometheus" -> Format.PROMETHEUS;
        case "json" -> Format.JSON;
        case "text" -> Format.TEXT;
        // Envoy's own answer when built without the admin HTML pages.
        case "html" -> throw new InvalidParamException(
            "HTML output was disabled by building with --define=admin_html=disabled");
        case "active-html" -> throw new InvalidParamException(
            "Active HTML output was disabled by building with --define=admin_html=disabled");
        default -> throw new InvalidParamException(
            "usage: /stats?format=(html|active-html|json|prometheus|text)\n\n");
      };
    }
    return new StatsParams(usedOnly, filter, type, format, buckets);
  }

  /** Whether a stat passes {@code usedonly} and {@code filter}. */
  boolean shouldShow(Metric metric) {
    if (usedOnly && !metric.used()) {
      return false;
    }
    return filter == null || filter.matcher(metric.name()).find();
  }

  private static Map<String, String> decodeQuery(String query) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = query.startsWith("?") ? query.substring(1) : query;
    for (String part : q.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String key = percentDecode(eq < 0 ? part : part.substring(0, eq));
      String value = eq < 0 ? "" : percentDecode(part.substring(eq + 1));
      out.putIfAbsent(key, value);
    }
    return out;
  }

  // Only %XX escapes are decoded: a '+' stays a '+', which filter regexes rely on.
  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        bytes.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
