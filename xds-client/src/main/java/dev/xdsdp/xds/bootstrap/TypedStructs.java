package dev.xdsdp.xds.bootstrap;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Envoy accepts an extension's config as a {@code udpa.type.v1.TypedStruct} or
 * {@code xds.type.v3.TypedStruct} (a type URL plus a JSON-like Struct) wherever it takes a
 * {@code typed_config}, and converts it to the real message of that type
 * ({@code Config::Utility::translateOpaqueConfig}). These helpers do the same for configs that
 * did not come through {@link EnvoyJson} (binary bootstraps, xDS resources).
 */
public final class TypedStructs {

  private TypedStructs() {}

  /** Whether {@code any} holds one of the two TypedStruct types. */
  public static boolean isTypedStruct(Any any) {
    return JsonNormalizer.TYPED_STRUCT_TYPES.contains(EnvoyTypeRegistry.typeName(any.getTypeUrl()));
  }

  /**
   * The Any of the type a TypedStruct wraps, with the Struct converted field by field under
   * Envoy's JSON rules; {@code any} itself when it is not a TypedStruct or wraps a type the
   * registry does not know (so the caller can report the unknown type).
   *
   * @param sourceName names the config in error messages, e.g. a resource name
   * @throws ConfigParseException when the Struct does not fit the wrapped type
   */
  public static Any unwrap(Any any, String sourceName) throws ConfigParseException {
    if (!isTypedStruct(any)) {
      return any;
    }
    String typeUrl;
    Struct value;
    try {
      if (EnvoyTypeRegistry.typeName(any.getTypeUrl()).startsWith("udpa.")) {
        var ts = any.unpack(com.github.udpa.udpa.type.v1.TypedStruct.class);
        typeUrl = ts.getTypeUrl();
        value = ts.getValue();
      } else {
        var ts = any.unpack(com.github.xds.type.v3.TypedStruct.class);
        typeUrl = ts.getTypeUrl();
        value = ts.getValue();
      }
    } catch (InvalidProtocolBufferException e) {
      throw ConfigParseException.general(sourceName, "malformed TypedStruct: " + e.getMessage(), e);
    }
    Optional<Descriptor> wrapped = EnvoyTypeRegistry.get().find(typeUrl);
    if (wrapped.isEmpty()) {
      return any;
    }
    JsonObject json = new JsonObject();
    json.addProperty("@type", typeUrl);
    JsonElement struct;
    try {
      struct = JsonParser.parseString(JsonFormat.printer().omittingInsignificantWhitespace().print(value));
    } catch (InvalidProtocolBufferException e) {
      throw ConfigParseException.general(sourceName, "malformed TypedStruct: " + e.getMessage(), e);
    }
    String name = wrapped.get().getFullName();
    if (JsonNormalizer.isValueInAny(name)) {
      json.add("value", struct);
    } else {
      for (Map.Entry<String, JsonElement> e : struct.getAsJsonObject().entrySet()) {
        json.add(e.getKey(), e.getValue());
      }
    }
    Any.Builder out = Any.newBuilder();
    EnvoyJson.parseTree(json, out, sourceName, false, new ArrayList<>());
    return out.build();
  }

  /**
   * {@code message} with every TypedStruct in a {@code typed_config}-like field replaced by the
   * message it wraps, looking inside nested Anys of known types too. Returns {@code message}
   * itself when there is nothing to replace.
   */
  @SuppressWarnings("unchecked")
  public static <T extends Message> T unwrapAll(T message, String sourceName)
      throws ConfigParseException {
    return (T) walk(message, sourceName);
  }

  private static Message walk(Message message, String sourceName) throws ConfigParseException {
    Message.Builder builder = null;
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      boolean typedConfig = JsonNormalizer.TYPED_CONFIG_FIELDS.contains(field.getName());
      if (field.isRepeated()) {
        List<?> items = (List<?>) e.getValue();
        List<Object> replaced = null;
        for (int i = 0; i < items.size(); i++) {
          Message item = (Message) items.get(i);
          Message next =
              field.isMapField()
                  ? walkMapEntry(item, typedConfig, sourceName)
                  : walkValue(item, typedConfig, sourceName);
          if (next != item) {
            if (replaced == null) {
              replaced = new ArrayList<>(items);
            }
            replaced.set(i, next);
          }
        }
        if (replaced != null) {
          if (builder == null) {
            builder = message.toBuilder();
          }
          builder.clearField(field);
          for (Object item : replaced) {
            builder.addRepeatedField(field, item);
          }
        }
      } else {
        Message value = (Message) e.getValue();
        Message next = walkValue(value, typedConfig, sourceName);
        if (next != value) {
          if (builder == null) {
            builder = message.toBuilder();
          }
          builder.setField(field, next);
        }
      }
    }
    return builder == null ? message : builder.build();
  }

  private static Message walkMapEntry(Message entry, boolean typedConfig, String sourceName)
      throws ConfigParseException {
    FieldDescriptor valueField = entry.getDescriptorForType().findFieldByName("value");
    if (valueField.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
      return entry;
    }
    Message value = (Message) entry.getField(valueField);
    Message next = walkValue(value, typedConfig, sourceName);
    return next == value ? entry : entry.toBuilder().setField(valueField, next).build();
  }

  private static Message walkValue(Message value, boolean typedConfig, String sourceName)
      throws ConfigParseException {
    if (!value.getDescriptorForType().getFullName().equals("google.protobuf.Any")) {
      return walk(value, sourceName);
    }
    Any any = value instanceof Any a ? a : toAny(value, sourceName);
    if (typedConfig && isTypedStruct(any)) {
      Any unwrapped = unwrap(any, sourceName);
      return unwrapped == any ? value : sameKind(value, unwrapped);
    }
    Optional<Descriptor> type = EnvoyTypeRegistry.get().find(any.getTypeUrl());
    if (type.isEmpty() || type.get().getFullName().startsWith("google.protobuf.")) {
      return value;
    }
    try {
      DynamicMessage content =
          DynamicMessage.parseFrom(type.get(), any.getValue(),
              com.google.protobuf.ExtensionRegistry.getEmptyRegistry());
      Message next = walk(content, sourceName);
      if (next == content) {
        return value;
      }
      Any replaced = Any.newBuilder().setTypeUrl(any.getTypeUrl()).setValue(next.toByteString()).build();
      return sameKind(value, replaced);
    } catch (InvalidProtocolBufferException e) {
      return value; // not ours to judge here; the consumer that unpacks it will report it
    }
  }

  private static Any toAny(Message value, String sourceName) throws ConfigParseException {
    try {
      return Any.parseFrom(value.toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw ConfigParseException.general(sourceName, "malformed Any: " + e.getMessage(), e);
    }
  }

  /** An Any in the representation of {@code like} (generated or dynamic), for setField. */
  private static Message sameKind(Message like, Any any) throws ConfigParseException {
    if (like instanceof Any) {
      return any;
    }
    try {
      return like.newBuilderForType().mergeFrom(any.toByteString()).build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
