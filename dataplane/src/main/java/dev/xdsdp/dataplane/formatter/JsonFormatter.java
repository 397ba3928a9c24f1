package dev.xdsdp.dataplane.formatter;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@code json_format} (Envoy's {@code JsonFormatterImpl}): one JSON object per entry, keys
 * sorted, followed by a newline. A value that is exactly one operator keeps the operator's type
 * (numbers stay numbers, metadata stays nested, missing is {@code null}); a value mixing text
 * and operators is a string with {@code -} for missing parts. Strings without {@code %} and
 * numbers, booleans and nulls in the config are copied as they are.
 *
 * <p>With {@code omit_empty_values}, keys whose single operator is missing are left out, objects
 * left empty are dropped, and missing parts of mixed strings are empty (Envoy's
 * {@code OmitEmptyJsonFormatterImpl}).
 */
public final class JsonFormatter implements Formatter {

  private sealed interface Node permits Constant, Template, MapNode, ListNode {}

  /** Pre-serialized JSON. */
  private record Constant(String json) implements Node {}

  private record Template(List<FormatterProvider> providers) implements Node {}

  private record Field(String keyJson, Node value) {}

  private record MapNode(List<Field> fields) implements Node {}

  private record ListNode(List<Node> values) implements Node {}

  private final MapNode root;
  private final boolean omitEmptyValues;
  private final String contentType;

  JsonFormatter(Struct format, boolean omitEmptyValues, String contentType)
      throws FormatterException {
    this.omitEmptyValues = omitEmptyValues;
    this.contentType = contentType;
    this.root = mapNode(format);
  }

  private MapNode mapNode(Struct s) throws FormatterException {
    List<Field> fields = new ArrayList<>();
    for (Map.Entry<String, Value> e : Json.sortedFields(s)) {
      Node n = node(e.getValue());
      if (n != null) {
        StringBuilder key = new StringBuilder();
        Json.appendString(key, e.getKey());
        fields.add(new Field(key.toString(), n));
      }
    }
    return new MapNode(List.copyOf(fields));
  }

  /** The node for a config value, or null for a literal null dropped by omit_empty_values. */
  private Node node(Value v) throws FormatterException {
    StringBuilder sb = new StringBuilder();
    switch (v.getKindCase()) {
      case NULL_VALUE, KIND_NOT_SET -> {
        if (omitEmptyValues) {
          return null;
        }
        return new Constant("null");
      }
      case NUMBER_VALUE -> Json.appendNumber(sb, v.getNumberValue());
      case BOOL_VALUE -> sb.append(v.getBoolValue());
      case STRING_VALUE -> {
        String s = v.getStringValue();
        if (s.indexOf('%') < 0) {
          Json.appendString(sb, s);
        } else {
          return new Template(SubstitutionFormatParser.parse(s));
        }
      }
      case STRUCT_VALUE -> {
        return mapNode(v.getStructValue());
      }
      case LIST_VALUE -> {
        List<Node> values = new ArrayList<>();
        for (Value item : v.getListValue().getValuesList()) {
          Node n = node(item);
          if (n != null) {
            values.add(n);
          }
        }
        return new ListNode(List.copyOf(values));
      }
    }
    return new Constant(sb.toString());
  }

  @Override
  public String format(FormatterContext context) {
    StringBuilder sb = new StringBuilder(512);
    if (!appendMap(sb, root, context)) {
      sb.append("{}");
    }
    sb.append('\n');
    return sb.toString();
  }

  @Override
  public String contentType() {
    return contentType;
  }

  /** Appends a node; returns false (and appends nothing) when omit_empty_values drops it. */
  private boolean append(StringBuilder sb, Node node, FormatterContext ctx) {
    return switch (node) {
      case Constant c -> {
        sb.append(c.json);
        yield true;
      }
      case MapNode m -> appendMap(sb, m, ctx);
      case ListNode l -> {
        sb.append('[');
        boolean empty = true;
        for (Node n : l.values) {
          int mark = sb.length();
          if (!empty) {
            sb.append(',');
          }
          if (append(sb, n, ctx)) {
            empty = false;
          } else {
            sb.setLength(mark);
          }
        }
        sb.append(']');
        yield true;
      }
      case Template t -> appendTemplate(sb, t, ctx);
    };
  }

  private boolean appendMap(StringBuilder sb, MapNode m, FormatterContext ctx) {
    int start = sb.length();
    sb.append('{');
    boolean empty = true;
    for (Field f : m.fields) {
      int mark = sb.length();
      if (!empty) {
        sb.append(',');
      }
      sb.append(f.keyJson).append(':');
      if (append(sb, f.value, ctx)) {
        empty = false;
      } else {
        sb.setLength(mark);
      }
    }
    if (empty && omitEmptyValues) {
      sb.setLength(start);
      return false;
    }
    sb.append('}');
    return true;
  }

  private boolean appendTemplate(StringBuilder sb, Template t, FormatterContext ctx) {
    List<FormatterProvider> providers = t.providers;
    if (providers.size() == 1) {
      Object v = providers.get(0).formatValue(ctx);
      if (v == null && omitEmptyValues) {
        return false;
      }
      Json.appendTyped(sb, v);
      return true;
    }
    sb.append('"');
    for (FormatterProvider p : providers) {
      String s = p.format(ctx);
      if (s != null) {
        Json.appendEscaped(sb, s);
      } else if (!omitEmptyValues) {
        sb.append('-');
      }
    }
    sb.append('"');
    return true;
  }
}
