package dev.xdsdp.dataplane.formatter;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON output as Envoy's formatter writes it: no whitespace, struct keys sorted, strings escaped
 * the way Envoy's {@code Json::sanitize} (nlohmann) does.
 */
final class Json {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /** Appends {@code s} as a quoted JSON string. */
  static void appendString(StringBuilder out, String s) {
    out.append('"');
    appendEscaped(out, s);
    out.append('"');
  }

  /** Appends the body of a JSON string (no quotes). */
  static void appendEscaped(StringBuilder out, String s) {
    int start = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, start, i);
      start = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    out.append(s, start, n);
  }

  /**
   * Appends a number. Integral values print as integers; others in the shorter of fixed and
   * exponent notation, C style ({@code 1.5e+21}), as Envoy's {@code serializeDouble}.
   */
  static void appendNumber(StringBuilder out, double d) {
    if (Double.isNaN(d)) {
      out.append("null");
      return;
    }
    if (Double.isInfinite(d)) {
      out.append(d > 0 ? "inf" : "-inf");
      return;
    }
    // Integers keep their digits (what the protobuf JSON printer Envoy used for years wrote);
    // libc++'s shortest form would turn 1000000 into 1e+06.
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      out.append((long) d);
      return;
    }
    BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = bd.unscaledValue().toString();
    int exp = digits.length() - 1 - bd.scale();
    StringBuilder sci = new StringBuilder(digits.length() + 6);
    sci.append(digits.charAt(0));
    if (digits.length() > 1) {
      sci.append('.').append(digits, 1, digits.length());
    }
    sci.append('e').append(exp < 0 ? '-' : '+');
    int absExp = Math.abs(exp);
    if (absExp < 10) {
      sci.append('0');
    }
    sci.append(absExp);
    String fixed = bd.toPlainString();
    if (d < 0) {
      out.append('-');
    }
    out.append(fixed.length() <= sci.length() ? fixed : sci);
  }

  static void appendLong(StringBuilder out, long v) {
    out.append(v);
  }

  /** Appends a typed value as produced by {@link FormatterProvider#formatValue}. */
  static void appendTyped(StringBuilder out, Object v) {
    switch (v) {
      case null -> out.append("null");
      case String s -> appendString(out, s);
      case Long l -> out.append(l.longValue());
      case Integer i -> out.append(i.intValue());
      case Double d -> appendNumber(out, d);
      case Number n -> appendNumber(out, n.doubleValue());
      case Boolean b -> out.append(b.booleanValue());
      case Value value -> appendValue(out, value);
      case Struct s -> appendStruct(out, s);
      default -> appendString(out, v.toString());
    }
  }

  static void appendValue(StringBuilder out, Value v) {
    switch (v.getKindCase()) {
      case NULL_VALUE, KIND_NOT_SET -> out.append("null");
      case NUMBER_VALUE -> appendNumber(out, v.getNumberValue());
      case STRING_VALUE -> appendString(out, v.getStringValue());
      case BOOL_VALUE -> out.append(v.getBoolValue());
      case STRUCT_VALUE -> appendStruct(out, v.getStructValue());
      case LIST_VALUE -> appendList(out, v.getListValue());
    }
  }

  static void appendStruct(StringBuilder out, Struct s) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, Value> e : sortedFields(s)) {
      if (!first) {
        out.append(',');
      }
      first = false;
      appendString(out, e.getKey());
      out.append(':');
      appendValue(out, e.getValue());
    }
    out.append('}');
  }

  static void appendList(StringBuilder out, ListValue list) {
    out.append('[');
    for (int i = 0; i < list.getValuesCount(); i++) {
      if (i > 0) {
        out.append(',');
      }
      appendValue(out, list.getValues(i));
    }
    out.append(']');
  }

  /** The fields of {@code s} sorted by key, as Envoy sorts them for deterministic output. */
  static List<Map.Entry<String, Value>> sortedFields(Struct s) {
    List<Map.Entry<String, Value>> fields = new ArrayList<>(s.getFieldsMap().entrySet());
    fields.sort(Map.Entry.comparingByKey());
    return fields;
  }

  /** {@code v} serialized as JSON. */
  static String toJson(Value v) {
    StringBuilder sb = new StringBuilder();
    appendValue(sb, v);
    return sb.toString();
  }
}
