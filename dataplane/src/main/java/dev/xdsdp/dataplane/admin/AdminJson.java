package dev.xdsdp.dataplane.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * Prints admin protos as Envoy does ({@code MessageUtil::getJsonStringFromMessageOrError} with
 * pretty printing): proto field names, and the layout of protobuf C++'s JSON printer, which
 * indents by one space, opens every array on its own line, prints empty objects and arrays as
 * {@code {}} and {@code []}, and prints integral doubles without a fraction ({@code 1}, not
 * {@code 1.0}). protobuf-java prints the same values in another layout, so its compact output is
 * re-laid out here.
 */
final class AdminJson {

  private AdminJson() {}

  /**
   * @param alwaysPrintPrimitiveFields Envoy's {@code always_print_primitive_fields}: also print
   *     scalar fields at their default value and empty repeated fields
   * @param types resolves the {@code Any} fields inside {@code message}
   */
  static String print(MessageOrBuilder message, boolean alwaysPrintPrimitiveFields, JsonFormat.TypeRegistry types)
      throws InvalidProtocolBufferException {
    JsonFormat.Printer printer = JsonFormat.printer()
        .preservingProtoFieldNames()
        .omittingInsignificantWhitespace()
        .usingTypeRegistry(types);
    if (alwaysPrintPrimitiveFields) {
      printer = printer.includingDefaultValueFields();
    }
    return layout(printer.print(message));
  }

  static String print(MessageOrBuilder message, boolean alwaysPrintPrimitiveFields)
      throws InvalidProtocolBufferException {
    return print(message, alwaysPrintPrimitiveFields, JsonFormat.TypeRegistry.getEmptyTypeRegistry());
  }

  /** Re-lays out compact JSON the way protobuf C++ pretty-prints it. */
  static String layout(String compact) {
    StringBuilder out = new StringBuilder(compact.length() * 2);
    int depth = 0;
    int n = compact.length();
    int i = 0;
    while (i < n) {
      char c = compact.charAt(i);
      switch (c) {
        case '"' -> {
          int end = endOfString(compact, i);
          appendString(out, compact.substring(i, end));
          i = end;
          continue;
        }
        case '{', '[' -> {
          char close = c == '{' ? '}' : ']';
          if (i + 1 < n && compact.charAt(i + 1) == close) {
            out.append(c).append(close);
            i += 2;
            continue;
          }
          out.append(c);
          depth++;
          newline(out, depth);
        }
        case '}', ']' -> {
          depth--;
          newline(out, depth);
          out.append(c);
        }
        case ',' -> {
          out.append(',');
          newline(out, depth);
        }
        case ':' -> out.append(": ");
        default -> {
          int end = i;
          while (end < n && "{}[],:\"".indexOf(compact.charAt(end)) < 0) {
            end++;
          }
          appendScalar(out, compact.substring(i, end));
          i = end;
          continue;
        }
      }
      i++;
    }
    return out.toString();
  }

  /**
   * Appends a JSON string, undoing the HTML-safe escapes of protobuf-java's printer
   * ({@code \u0027} for {@code '}, and {@code < > & =}): protobuf C++, and so Envoy, prints them as is.
   */
  private static void appendString(StringBuilder out, String quoted) {
    if (quoted.indexOf("\\u00") < 0) {
      out.append(quoted);
      return;
    }
    int i = 0;
    while (i < quoted.length()) {
      char c = quoted.charAt(i);
      if (c == '\\' && i + 1 < quoted.length() && quoted.charAt(i + 1) == '\\') {
        out.append("\\\\");
        i += 2;
        continue;
      }
      if (c == '\\' && quoted.startsWith("u00", i + 1) && i + 6 <= quoted.length()) {
        String hex = quoted.substring(i + 4, i + 6);
        char plain = switch (hex) {
          case "27" -> '\'';
          case "3c" -> '<';
          case "3e" -> '>';
          case "26" -> '&';
          case "3d" -> '=';
          default -> 0;
        };
        if (plain != 0) {
          out.append(plain);
          i += 6;
          continue;
        }
      }
      out.append(c);
      i++;
    }
  }

  private static int endOfString(String s, int start) {
    int i = start + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == '"') {
        return i + 1;
      } else {
        i++;
      }
    }
    return s.length();
  }

  private static void newline(StringBuilder out, int depth) {
    out.append('\n');
    out.append(" ".repeat(Math.max(0, depth)));
  }

  /** Numbers, booleans and null; doubles Java prints as {@code 5.0} are {@code 5} in C++. */
  private static void appendScalar(StringBuilder out, String token) {
    if (token.endsWith(".0") && token.length() > 2 && isInteger(token, token.length() - 2)) {
      out.append(token, 0, token.length() - 2);
    } else {
      out.append(token);
    }
  }

  private static boolean isInteger(String s, int end) {
    int start = s.charAt(0) == '-' ? 1 : 0;
    if (start >= end) {
      return false;
    }
    for (int i = start; i < end; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
