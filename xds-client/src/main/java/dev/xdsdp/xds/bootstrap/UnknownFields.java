package dev.xdsdp.xds.bootstrap;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds fields a binary proto carried that this build's descriptors do not know: a config made
 * for a newer Envoy. Envoy rejects them in static config (unless
 * {@code --allow-unknown-static-fields}) and, for xDS, warns, rejects or ignores them according
 * to {@code --reject-unknown-dynamic-fields} / {@code --ignore-unknown-dynamic-fields}.
 */
public final class UnknownFields {

  private UnknownFields() {}

  /**
   * One entry per message holding unknown fields, e.g.
   * {@code static_resources.clusters[0]: unknown field number 999}. Packed Anys are not opened.
   */
  public static List<String> find(MessageOrBuilder message) {
    List<String> out = new ArrayList<>();
    walk(message, FieldPath.ROOT, out);
    return out;
  }

  private static void walk(MessageOrBuilder message, FieldPath path, List<String> out) {
    var unknown = message.getUnknownFields();
    if (!unknown.asMap().isEmpty()) {
      StringBuilder numbers = new StringBuilder();
      for (Integer n : unknown.asMap().keySet()) {
        numbers.append(numbers.isEmpty() ? "" : ", ").append(n);
      }
      String where = path.isRoot() ? "" : path + ": ";
      out.add(where + "unknown field number" + (unknown.asMap().size() > 1 ? "s " : " ") + numbers
          + " in " + message.getDescriptorForType().getFullName());
    }
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (field.isRepeated()) {
        List<?> items = (List<?>) e.getValue();
        for (int i = 0; i < items.size(); i++) {
          walk((MessageOrBuilder) items.get(i), path.field(field.getName()).index(i), out);
        }
      } else {
        walk((MessageOrBuilder) e.getValue(), path.field(field.getName()), out);
      }
    }
  }
}
