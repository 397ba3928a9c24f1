package dev.xdsdp.dataplane.formatter;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.Map;

/**
 * {@code %FILTER_STATE(KEY:PLAIN|TYPED|FIELD:NAME):Z%}. Objects in {@code StreamInfo.filterState()}
 * are plain Java values: strings, numbers and booleans stand for Envoy's string/number
 * accessors, protobuf messages for objects that serialize as protos, maps for objects with
 * fields. TYPED (the default) prints the object's JSON form, PLAIN its string form.
 */
final class FilterStateProvider implements FormatterProvider {

  private enum Mode {
    PLAIN,
    TYPED,
    FIELD
  }

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private final String key;
  private final Mode mode;
  private final String field;
  private final int maxLength;
  private final boolean upstream;

  private FilterStateProvider(String key, Mode mode, String field, int maxLength, boolean upstream) {
    this.key = key;
    this.mode = mode;
    this.field = field;
    this.maxLength = maxLength;
    this.upstream = upstream;
  }

  /** Parses the operator argument with Envoy's checks and messages. */
  static FilterStateProvider create(String arg, int maxLength, boolean upstream)
      throws FormatterException {
    String[] parts = arg.split(":", -1);
    String key = parts[0];
    String type = parts.length > 1 ? parts[1] : "";
    String fieldName = parts.length > 2 ? parts[2] : "";
    if (key.isEmpty()) {
      throw new FormatterException("Invalid filter state configuration, key cannot be empty.");
    }
    if (type.isEmpty()) {
      type = "TYPED";
    }
    Mode mode;
    switch (type) {
      case "PLAIN" -> mode = Mode.PLAIN;
      case "TYPED" -> mode = Mode.TYPED;
      case "FIELD" -> mode = Mode.FIELD;
      default -> throw new FormatterException(
          "Invalid filter state serialize type, only support PLAIN/TYPED/FIELD.");
    }
    if ((mode == Mode.FIELD) == fieldName.isEmpty()) {
      throw new FormatterException(
          "Invalid filter state serialize type, FIELD should be used with the field name.");
    }
    return new FilterStateProvider(key, mode, fieldName, maxLength, upstream);
  }

  private Object object(FormatterContext context) {
    // Upstream filter state (from upstream connections) is not tracked by this data plane.
    return upstream ? null : context.streamInfo().filterState().get(key);
  }

  @Override
  public String format(FormatterContext context) {
    Object o = object(context);
    if (o == null) {
      return null;
    }
    String s = switch (mode) {
      case PLAIN -> plain(o);
      case TYPED -> typedJson(o);
      case FIELD -> field(o);
    };
    return s == null ? null : Providers.truncate(s, maxLength);
  }

  @Override
  public Object formatValue(FormatterContext context) {
    Object o = object(context);
    if (o == null) {
      return null;
    }
    return switch (mode) {
      case PLAIN -> truncated(plain(o));
      case FIELD -> truncated(field(o));
      case TYPED -> typedValue(o);
    };
  }

  private String truncated(String s) {
    return s == null ? null : Providers.truncate(s, maxLength);
  }

  private static String plain(Object o) {
    return switch (o) {
      case Message m -> messageJson(m);
      default -> o.toString();
    };
  }

  private static String typedJson(Object o) {
    StringBuilder sb = new StringBuilder();
    switch (o) {
      case String s -> Json.appendString(sb, s);
      case Long l -> sb.append(l.longValue());
      case Integer i -> sb.append(i.intValue());
      case java.lang.Number n -> Json.appendNumber(sb, n.doubleValue());
      case Boolean b -> sb.append(b.booleanValue());
      case Value v -> Json.appendValue(sb, v);
      case Struct s -> Json.appendStruct(sb, s);
      case Message m -> {
        String json = messageJson(m);
        if (json == null) {
          return null;
        }
        sb.append(json);
      }
      // Envoy logs nothing for an object that cannot serialize itself as a proto.
      default -> {
        return null;
      }
    }
    return sb.toString();
  }

  private static Object typedValue(Object o) {
    return switch (o) {
      case String s -> s;
      case Long l -> l;
      case Integer i -> (long) i;
      case java.lang.Number n -> n.doubleValue();
      case Boolean b -> b;
      case Value v -> v;
      case Struct s -> Value.newBuilder().setStructValue(s).build();
      case Message m -> messageValue(m);
      default -> null;
    };
  }

  private String field(Object o) {
    Object v = switch (o) {
      case Map<?, ?> map -> map.get(field);
      case Message m -> {
        FieldDescriptor fd = m.getDescriptorForType().findFieldByName(field);
        yield fd == null || fd.isRepeated() || !m.hasField(fd) ? null : m.getField(fd);
      }
      default -> null;
    };
    // Envoy's field values are strings or integers; anything else is not loggable.
    return switch (v) {
      case String s -> s;
      case Long l -> Long.toString(l);
      case Integer i -> Integer.toString(i);
      case null, default -> null;
    };
  }

  private static String messageJson(Message m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) {
      // Envoy gives up on messages it cannot print (unknown Any types).
      return null;
    }
  }

  private static Value messageValue(Message m) {
    String json = messageJson(m);
    if (json == null) {
      return null;
    }
    try {
      Value.Builder b = Value.newBuilder();
      JsonFormat.parser().merge(json, b);
      return b.build();
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}
