package dev.xdsdp.dataplane.filters.wasm;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link Struct} as the JSON text Envoy hands a module ({@code MessageUtil::anyToBytes}, protobuf's
 * C++ JSON printer): compact, keys sorted, integral numbers without a fraction ({@code 1}, not
 * {@code 1.0} as protobuf-java's printer writes). Modules parse this text, so the difference matters
 * to those that compare numbers as strings.
 */
final class StructJson {

  private StructJson() {}

  static String print(Struct struct) {
    StringBuilder sb = new StringBuilder();
    object(struct, sb);
    return sb.toString();
  }

  private static void object(Struct s, StringBuilder sb) {
    List<Map.Entry<String, Value>> fields = new ArrayList<>(s.getFieldsMap().entrySet());
    fields.sort(Map.Entry.comparingByKey());
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, Value> e : fields) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      string(e.getKey(), sb);
      sb.append(':');
      value(e.getValue(), sb);
    }
    sb.append('}');
  }

  private static void list(ListValue l, StringBuilder sb) {
    sb.append('[');
    for (int i = 0; i < l.getValuesCount(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      value(l.getValues(i), sb);
    }
    sb.append(']');
  }

  private static void value(Value v, StringBuilder sb) {
    switch (v.getKindCase()) {
      case NULL_VALUE, KIND_NOT_SET -> sb.append("null");
      case BOOL_VALUE -> sb.append(v.getBoolValue());
      case NUMBER_VALUE -> sb.append(number(v.getNumberValue()));
      case STRING_VALUE -> string(v.getStringValue(), sb);
      case STRUCT_VALUE -> object(v.getStructValue(), sb);
      case LIST_VALUE -> list(v.getListValue(), sb);
    }
  }

  /** C's {@code %g}-style shortest text: {@code 1}, {@code 0.5}, {@code 1e+21}, {@code 2.5e-07}. */
  static String number(double d) {
    if (Double.isNaN(d)) {
      return "\"NaN\"";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    String s = Double.toString(d);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String mantissa = s.substring(0, e);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    int exp = Integer.parseInt(s.substring(e + 1));
    String digits = Integer.toString(Math.abs(exp));
    return mantissa + "e" + (exp < 0 ? "-" : "+") + (digits.length() < 2 ? "0" + digits : digits);
  }

  private static void string(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
