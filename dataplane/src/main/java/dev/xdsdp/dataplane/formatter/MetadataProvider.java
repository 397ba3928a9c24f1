package dev.xdsdp.dataplane.formatter;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;
import java.util.Map;

/**
 * {@code %DYNAMIC_METADATA(NAMESPACE:KEY:...):Z%}: the namespace struct or the value at the key
 * path. Text prints strings raw and anything else as JSON, truncated to Z; typed JSON keeps the
 * value (structs and lists nested) and ignores Z, as Envoy does.
 */
final class MetadataProvider implements FormatterProvider {

  private final String namespace;
  private final List<String> path;
  private final int maxLength;

  MetadataProvider(String namespace, List<String> path, int maxLength) {
    this.namespace = namespace;
    this.path = List.copyOf(path);
    this.maxLength = maxLength;
  }

  @Override
  public String format(FormatterContext context) {
    Value v = lookup(context.streamInfo().dynamicMetadata());
    if (v == null || v.getKindCase() == Value.KindCase.NULL_VALUE) {
      return null;
    }
    String s = v.getKindCase() == Value.KindCase.STRING_VALUE ? v.getStringValue() : Json.toJson(v);
    return Providers.truncate(s, maxLength);
  }

  @Override
  public Object formatValue(FormatterContext context) {
    Value v = lookup(context.streamInfo().dynamicMetadata());
    if (v == null || v.getKindCase() == Value.KindCase.NULL_VALUE) {
      return null;
    }
    return v;
  }

  /** Envoy's {@code Config::Metadata::metadataValue}: null when any step is absent. */
  private Value lookup(Map<String, Struct> metadata) {
    Struct ns = metadata.get(namespace);
    if (ns == null) {
      return null;
    }
    if (path.isEmpty()) {
      return Value.newBuilder().setStructValue(ns).build();
    }
    Struct current = ns;
    Value value = null;
    for (String key : path) {
      if (current == null) {
        return null;
      }
      value = current.getFieldsMap().get(key);
      if (value == null) {
        return null;
      }
      current = value.hasStructValue() ? value.getStructValue() : null;
    }
    return value == null || value.getKindCase() == Value.KindCase.KIND_NOT_SET ? null : value;
  }
}
