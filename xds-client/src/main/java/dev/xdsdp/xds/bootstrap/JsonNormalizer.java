package dev.xdsdp.xds.bootstrap;

import com.google.common.io.BaseEncoding;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Walks a JSON tree against a message descriptor before protobuf-java's {@code JsonFormat} sees
 * it, for two reasons. First, to accept what Envoy accepts and JsonFormat does not: enum names in
 * any case, and {@code TypedStruct} wrappers around a {@code typed_config}, which are rewritten
 * into the Any of the wrapped type. Second, to reject what Envoy rejects with a message that names
 * the field as the user wrote it ({@code clusters[1].lb_polcy: unknown field (did you mean
 * "lb_policy"?)}); JsonFormat's own messages name neither the path nor the file.
 *
 * <p>The output is a new tree that JsonFormat parses without complaint: unknown fields are gone
 * (when allowed, with a warning each), nulls that mean "unset" are gone, enum names are
 * canonical. The checks here mirror JsonFormat's parse rules so that anything that passes them
 * also parses; a mismatch surfaces as JsonFormat's message without a path, never as a wrong
 * config.
 */
final class JsonNormalizer {

  /**
   * Any-typed fields whose content Envoy treats as an extension's config and therefore unwraps
   * from a TypedStruct ({@code Config::Utility::translateOpaqueConfig}). Other Any fields (a Wasm
   * plugin's {@code configuration}, metadata) are passed on untouched, as Envoy does.
   */
  static final Set<String> TYPED_CONFIG_FIELDS =
      Set.of(
          "typed_config",
          "typed_per_filter_config",
          "typed_extension_protocol_options",
          "default_config");

  static final Set<String> TYPED_STRUCT_TYPES =
      Set.of("udpa.type.v1.TypedStruct", "xds.type.v3.TypedStruct");

  private static final String ANY = "google.protobuf.Any";
  private static final Set<String> WRAPPERS =
      Set.of(
          "google.protobuf.DoubleValue",
          "google.protobuf.FloatValue",
          "google.protobuf.Int64Value",
          "google.protobuf.UInt64Value",
          "google.protobuf.Int32Value",
          "google.protobuf.UInt32Value",
          "google.protobuf.BoolValue",
          "google.protobuf.StringValue",
          "google.protobuf.BytesValue");
  private static final Set<String> SPECIAL_JSON_TYPES =
      Set.of(
          ANY,
          "google.protobuf.Duration",
          "google.protobuf.Timestamp",
          "google.protobuf.FieldMask",
          "google.protobuf.Struct",
          "google.protobuf.Value",
          "google.protobuf.ListValue");
  private static final BigInteger INT32_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
  private static final BigInteger INT32_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
  private static final BigInteger UINT32_MAX = BigInteger.valueOf(0xFFFFFFFFL);
  private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  private static final BigInteger UINT64_MAX = new BigInteger("FFFFFFFFFFFFFFFF", 16);
  private static final double FLOAT_LIMIT = Float.MAX_VALUE * (1.0 + 1e-6);

  private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS_BY_NAME =
      new ConcurrentHashMap<>();

  private final EnvoyTypeRegistry types;
  private final String sourceName;
  private final boolean allowUnknownFields;
  private final List<String> warnings;
  private final List<String> deprecations;
  private final Set<Descriptor> anyTypes = new java.util.HashSet<>();

  JsonNormalizer(
      EnvoyTypeRegistry types,
      String sourceName,
      boolean allowUnknownFields,
      List<String> warnings,
      List<String> deprecations) {
    this.types = types;
    this.sourceName = sourceName;
    this.allowUnknownFields = allowUnknownFields;
    this.warnings = warnings;
    this.deprecations = deprecations;
  }

  /** The types of every Any met so far: what JsonFormat's registry must hold for this tree. */
  Set<Descriptor> anyTypes() {
    return anyTypes;
  }

  /** The normalised form of a whole document of message type {@code type}. */
  JsonElement document(JsonElement json, Descriptor type) throws ConfigParseException {
    return messageValue(json, type, FieldPath.ROOT, false);
  }

  /**
   * A value of message type {@code type}. {@code unwrapTypedStruct} is set for the Any fields
   * listed in {@link #TYPED_CONFIG_FIELDS}.
   */
  private JsonElement messageValue(
      JsonElement json, Descriptor type, FieldPath path, boolean unwrapTypedStruct)
      throws ConfigParseException {
    String name = type.getFullName();
    if (WRAPPERS.contains(name)) {
      return scalar(json, type.findFieldByName("value"), path);
    }
    if (SPECIAL_JSON_TYPES.contains(name)) {
      return switch (name) {
        case ANY -> any(json, path, unwrapTypedStruct);
        case "google.protobuf.Duration" -> {
          requireString(json, path, "a duration such as \"1s\" or \"0.25s\"");
          try {
            Durations.parse(json.getAsString());
          } catch (ParseException e) {
            throw error(path, "expected a duration such as \"1s\" or \"0.25s\", got "
                + describe(json));
          }
          yield json;
        }
        case "google.protobuf.Timestamp" -> {
          requireString(json, path, "an RFC 3339 timestamp such as \"2024-01-31T10:00:00Z\"");
          try {
            Timestamps.parse(json.getAsString());
          } catch (ParseException e) {
            throw error(path, "expected an RFC 3339 timestamp such as \"2024-01-31T10:00:00Z\", got "
                + describe(json));
          }
          yield json;
        }
        case "google.protobuf.FieldMask" -> {
          requireString(json, path, "a field mask string such as \"a.b,c\"");
          yield json;
        }
        case "google.protobuf.Struct" -> {
          if (!json.isJsonObject()) {
            throw error(path, "expected an object, got " + describe(json));
          }
          yield json;
        }
        case "google.protobuf.ListValue" -> {
          if (!json.isJsonArray()) {
            throw error(path, "expected a list, got " + describe(json));
          }
          yield json;
        }
        default -> json; // google.protobuf.Value: any JSON at all
      };
    }
    return message(json, type, path);
  }

  private JsonObject message(JsonElement json, Descriptor type, FieldPath path)
      throws ConfigParseException {
    if (!json.isJsonObject()) {
      throw error(path, "expected an object, got " + describe(json));
    }
    Map<String, FieldDescriptor> byName = fieldsByName(type);
    Map<FieldDescriptor, String> seen = new HashMap<>();
    Map<OneofDescriptor, String> oneofs = new HashMap<>();
    JsonObject out = new JsonObject();
    for (Map.Entry<String, JsonElement> entry : json.getAsJsonObject().entrySet()) {
      String key = entry.getKey();
      JsonElement value = entry.getValue();
      FieldPath fieldPath = path.field(key);
      FieldDescriptor field = byName.get(key);
      if (field == null) {
        unknownField(type, key, fieldPath);
        continue;
      }
      String previousKey = seen.put(field, key);
      if (previousKey != null) {
        throw error(path, "field \"" + field.getName() + "\" is set twice (as \"" + previousKey
            + "\" and \"" + key + "\")");
      }
      if (value.isJsonNull() && !acceptsNull(field)) {
        continue; // null means "not set", as in JsonFormat and Envoy
      }
      OneofDescriptor oneof = field.getRealContainingOneof();
      if (oneof != null) {
        String other = oneofs.put(oneof, key);
        if (other != null) {
          throw error(path, "only one of \"" + other + "\" and \"" + key
              + "\" may be set (they belong to oneof \"" + oneof.getName() + "\")");
        }
      }
      if (field.getOptions().getDeprecated()) {
        deprecations.add(sourceName + ": " + fieldPath + ": using deprecated option '"
            + field.getFullName() + "' from file " + baseName(field.getFile().getName()));
      }
      JsonElement normalized = fieldValue(field, value, fieldPath);
      if (normalized != null) {
        out.add(key, normalized);
      }
    }
    return out;
  }

  private void unknownField(Descriptor type, String key, FieldPath fieldPath)
      throws ConfigParseException {
    if (allowUnknownFields) {
      warnings.add(sourceName + ": " + fieldPath + ": unknown field of " + type.getFullName()
          + ", ignored");
      return;
    }
    boolean camel = key.indexOf('_') < 0 && !key.equals(key.toLowerCase(Locale.ROOT));
    List<String> candidates = new ArrayList<>();
    for (FieldDescriptor f : type.getFields()) {
      candidates.add(camel ? f.getJsonName() : f.getName());
    }
    String suggestion = Suggestions.closest(key, candidates);
    throw error(fieldPath, "unknown field"
        + (suggestion == null ? "" : " (did you mean \"" + suggestion + "\"?)"));
  }

  /** The normalised value of one field, or null to leave the field out. */
  private JsonElement fieldValue(FieldDescriptor field, JsonElement value, FieldPath path)
      throws ConfigParseException {
    boolean typedConfig = TYPED_CONFIG_FIELDS.contains(field.getName());
    if (field.isMapField()) {
      if (!value.isJsonObject()) {
        throw error(path, "expected an object (a map), got " + describe(value));
      }
      FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
      FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
      JsonObject out = new JsonObject();
      for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
        FieldPath entryPath = path.mapKey(e.getKey());
        mapKey(keyField, e.getKey(), entryPath);
        JsonElement v = e.getValue();
        if (v.isJsonNull() && !acceptsNull(valueField)) {
          throw error(entryPath, "a map value cannot be null");
        }
        JsonElement normalized = singleValue(valueField, v, entryPath, typedConfig);
        if (normalized != null) {
          out.add(e.getKey(), normalized);
        }
      }
      return out;
    }
    if (field.isRepeated()) {
      if (!value.isJsonArray()) {
        throw error(path, "expected a list, got " + describe(value));
      }
      JsonArray out = new JsonArray();
      JsonArray in = value.getAsJsonArray();
      for (int i = 0; i < in.size(); i++) {
        FieldPath itemPath = path.index(i);
        JsonElement item = in.get(i);
        if (item.isJsonNull() && !acceptsNull(field)) {
          throw error(itemPath, "a list item cannot be null");
        }
        JsonElement normalized = singleValue(field, item, itemPath, typedConfig);
        if (normalized != null) {
          out.add(normalized);
        }
      }
      return out;
    }
    return singleValue(field, value, path, typedConfig);
  }

  private JsonElement singleValue(
      FieldDescriptor field, JsonElement value, FieldPath path, boolean typedConfig)
      throws ConfigParseException {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      return messageValue(value, field.getMessageType(), path, typedConfig);
    }
    return scalar(value, field, path);
  }

  private static boolean acceptsNull(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case MESSAGE -> field.getMessageType().getFullName().equals("google.protobuf.Value");
      case ENUM -> field.getEnumType().getFullName().equals("google.protobuf.NullValue");
      default -> false;
    };
  }

  /**
   * Whether a type's JSON form inside an Any sits under {@code "value"} (the well-known types with
   * a special JSON mapping) rather than as the Any's own fields.
   */
  static boolean isValueInAny(String fullName) {
    return WRAPPERS.contains(fullName) || SPECIAL_JSON_TYPES.contains(fullName);
  }

  // ---------------------------------------------------------------------------------------------
  // Any and TypedStruct

  private JsonElement any(JsonElement json, FieldPath path, boolean unwrapTypedStruct)
      throws ConfigParseException {
    if (!json.isJsonObject()) {
      throw error(path, "expected an object with an \"@type\", got " + describe(json));
    }
    JsonObject object = json.getAsJsonObject();
    if (object.entrySet().isEmpty()) {
      return object;
    }
    JsonElement typeElement = object.get("@type");
    if (typeElement == null) {
      throw error(path, "missing \"@type\"");
    }
    if (!typeElement.isJsonPrimitive() || !typeElement.getAsJsonPrimitive().isString()) {
      throw error(path.field("@type"), "expected a type URL string, got " + describe(typeElement));
    }
    String typeUrl = typeElement.getAsString();
    Descriptor type = knownType(typeUrl, path.field("@type"));
    if (unwrapTypedStruct && TYPED_STRUCT_TYPES.contains(type.getFullName())) {
      JsonObject unwrapped = unwrapTypedStruct(object, path);
      if (unwrapped != null) {
        return any(unwrapped, path, true);
      }
    }
    JsonObject out = new JsonObject();
    out.addProperty("@type", typeUrl);
    if (isValueInAny(type.getFullName())) {
      JsonElement value = object.get("value");
      if (value != null) {
        out.add("value", messageValue(value, type, path.field("value"), false));
      }
      return out;
    }
    JsonObject content = new JsonObject();
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      if (!e.getKey().equals("@type")) {
        content.add(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, JsonElement> e : message(content, type, path).entrySet()) {
      out.add(e.getKey(), e.getValue());
    }
    return out;
  }

  private Descriptor knownType(String typeUrl, FieldPath path) throws ConfigParseException {
    var type = types.find(typeUrl);
    if (type.isPresent()) {
      anyTypes.add(type.get());
      return type.get();
    }
    String name = EnvoyTypeRegistry.typeName(typeUrl);
    String suggestion = Suggestions.closest(name, types.typeNames());
    throw error(path, "unknown type \"" + typeUrl + "\""
        + (suggestion == null ? "" : " (did you mean \"type.googleapis.com/" + suggestion + "\"?)"));
  }

  /**
   * The Any JSON of the type a TypedStruct wraps ({@code {"@type": type_url, ...value}}), or null
   * when that type is unknown: the TypedStruct then stays as it is, for the consumer to report.
   */
  private JsonObject unwrapTypedStruct(JsonObject typedStruct, FieldPath path)
      throws ConfigParseException {
    JsonElement typeUrl = typedStruct.has("type_url") ? typedStruct.get("type_url")
        : typedStruct.get("typeUrl");
    if (typeUrl == null || !typeUrl.isJsonPrimitive() || !typeUrl.getAsJsonPrimitive().isString()) {
      return null;
    }
    var wrapped = types.find(typeUrl.getAsString());
    if (wrapped.isEmpty()) {
      warnings.add(sourceName + ": " + path + ": TypedStruct wraps unknown type \""
          + typeUrl.getAsString() + "\"; kept as a TypedStruct");
      return null;
    }
    JsonElement value = typedStruct.get("value");
    if (value != null && !value.isJsonNull() && !value.isJsonObject()) {
      throw error(path.field("value"), "expected an object, got " + describe(value));
    }
    JsonObject out = new JsonObject();
    out.addProperty("@type", typeUrl.getAsString());
    String name = wrapped.get().getFullName();
    if (isValueInAny(name)) {
      if (value != null && !value.isJsonNull()) {
        out.add("value", value);
      }
    } else if (value != null && value.isJsonObject()) {
      for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
        out.add(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Scalars

  private JsonElement scalar(JsonElement json, FieldDescriptor field, FieldPath path)
      throws ConfigParseException {
    if (json.isJsonNull()) {
      if (acceptsNull(field)) {
        return json;
      }
      return null;
    }
    return switch (field.getType()) {
      case INT32, SINT32, SFIXED32 -> integer(json, path, INT32_MIN, INT32_MAX, "an int32");
      case UINT32, FIXED32 -> integer(json, path, BigInteger.ZERO, UINT32_MAX, "a uint32");
      case INT64, SINT64, SFIXED64 -> integer(json, path, INT64_MIN, INT64_MAX, "an int64");
      case UINT64, FIXED64 -> integer(json, path, BigInteger.ZERO, UINT64_MAX, "a uint64");
      case FLOAT, DOUBLE -> floating(json, path, field.getType() == FieldDescriptor.Type.FLOAT);
      case BOOL -> {
        if (isPrimitive(json) && (json.getAsJsonPrimitive().isBoolean()
            || json.getAsString().equals("true") || json.getAsString().equals("false"))) {
          yield json;
        }
        throw error(path, "expected a boolean (true or false), got " + describe(json));
      }
      case STRING -> {
        requireString(json, path, "a string");
        yield json;
      }
      case BYTES -> {
        requireString(json, path, "a base64 string");
        String s = json.getAsString();
        if (!BaseEncoding.base64().canDecode(s) && !BaseEncoding.base64Url().canDecode(s)) {
          throw error(path, "expected a base64 string, got " + describe(json));
        }
        yield json;
      }
      case ENUM -> enumValue(json, field.getEnumType(), path);
      default -> throw error(path, "unsupported field type " + field.getType());
    };
  }

  private JsonElement integer(
      JsonElement json, FieldPath path, BigInteger min, BigInteger max, String typeName)
      throws ConfigParseException {
    BigInteger value = integerOf(json);
    if (value == null) {
      throw error(path, "expected an integer, got " + describe(json));
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw error(path, "expected " + typeName + " (" + min + " to " + max + "), got "
          + describe(json));
    }
    return json;
  }

  /** The integer a JSON number or numeric string stands for (1, "1", 1.0, 1e3), else null. */
  private static BigInteger integerOf(JsonElement json) {
    if (!isPrimitive(json) || json.getAsJsonPrimitive().isBoolean()) {
      return null;
    }
    try {
      return new BigDecimal(json.getAsString()).toBigIntegerExact();
    } catch (ArithmeticException | NumberFormatException e) {
      return null;
    }
  }

  private JsonElement floating(JsonElement json, FieldPath path, boolean isFloat)
      throws ConfigParseException {
    if (!isPrimitive(json) || json.getAsJsonPrimitive().isBoolean()) {
      throw error(path, "expected a number, got " + describe(json));
    }
    String text = json.getAsString();
    if (text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity")) {
      return json;
    }
    BigDecimal value;
    try {
      value = new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw error(path, "expected a number, got " + describe(json));
    }
    double d = value.doubleValue();
    if (Double.isInfinite(d) || (isFloat && Math.abs(d) > FLOAT_LIMIT)) {
      throw error(path, "expected a " + (isFloat ? "float" : "double") + " in range, got "
          + describe(json));
    }
    return json;
  }

  private JsonElement enumValue(JsonElement json, EnumDescriptor type, FieldPath path)
      throws ConfigParseException {
    if (!isPrimitive(json) || json.getAsJsonPrimitive().isBoolean()) {
      throw error(path, "expected a value of enum " + type.getFullName() + ", got "
          + describe(json));
    }
    JsonPrimitive p = json.getAsJsonPrimitive();
    if (p.isNumber()) {
      BigInteger n = integerOf(p);
      if (n == null || n.compareTo(INT32_MIN) < 0 || n.compareTo(INT32_MAX) > 0) {
        throw error(path, "expected a value of enum " + type.getFullName() + ", got "
            + describe(json));
      }
      return json; // proto3 enums are open: any number is kept
    }
    String name = p.getAsString();
    if (type.findValueByName(name) != null) {
      return json;
    }
    // Envoy parses enums with case_insensitive_enum_parsing.
    for (EnumValueDescriptor v : type.getValues()) {
      if (v.getName().equalsIgnoreCase(name)) {
        return new JsonPrimitive(v.getName());
      }
    }
    BigInteger n = integerOf(p);
    if (n != null && n.compareTo(INT32_MIN) >= 0 && n.compareTo(INT32_MAX) <= 0) {
      return json;
    }
    if (allowUnknownFields) {
      warnings.add(sourceName + ": " + path + ": unknown value " + describe(json) + " of enum "
          + type.getFullName() + ", ignored");
      return null;
    }
    Set<String> names = new LinkedHashSet<>();
    for (EnumValueDescriptor v : type.getValues()) {
      names.add(v.getName());
    }
    String suggestion = Suggestions.closest(name.toUpperCase(Locale.ROOT), names);
    throw error(path, "unknown value " + describe(json) + " of enum " + type.getFullName()
        + (suggestion != null
            ? " (did you mean \"" + suggestion + "\"?)"
            : " (expected one of " + String.join(", ", names) + ")"));
  }

  private void mapKey(FieldDescriptor keyField, String key, FieldPath path)
      throws ConfigParseException {
    JsonPrimitive k = new JsonPrimitive(key);
    switch (keyField.getType()) {
      case STRING -> {}
      case BOOL -> {
        if (!key.equals("true") && !key.equals("false")) {
          throw error(path, "expected a boolean map key (true or false), got " + describe(k));
        }
      }
      default -> scalar(k, keyField, path);
    }
  }

  private void requireString(JsonElement json, FieldPath path, String what)
      throws ConfigParseException {
    if (!isPrimitive(json) || !json.getAsJsonPrimitive().isString()) {
      throw error(path, "expected " + what + ", got " + describe(json));
    }
  }

  private static boolean isPrimitive(JsonElement json) {
    return json.isJsonPrimitive();
  }

  /**
   * A value as it appears in the message: strings quoted, numbers bare, containers named. A
   * numeric string shows bare too: YAML turns {@code 1.5} into the string "1.5" (as Envoy does)
   * and the user should see what they wrote.
   */
  static String describe(JsonElement json) {
    if (json.isJsonNull()) {
      return "null";
    }
    if (json.isJsonObject()) {
      return "an object";
    }
    if (json.isJsonArray()) {
      return "a list";
    }
    JsonPrimitive p = json.getAsJsonPrimitive();
    if (p.isString()) {
      String s = p.getAsString();
      if (looksNumeric(s)) {
        return s;
      }
      if (s.length() > 80) {
        s = s.substring(0, 77) + "...";
      }
      return new JsonPrimitive(s).toString();
    }
    return p.getAsString();
  }

  private static boolean looksNumeric(String s) {
    if (s.isEmpty() || s.length() > 40) {
      return false;
    }
    try {
      new BigDecimal(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private ConfigParseException error(FieldPath path, String problem) {
    return ConfigParseException.atField(sourceName, path.toString(), problem);
  }

  private static String baseName(String file) {
    return file.substring(file.lastIndexOf('/') + 1);
  }

  private static Map<String, FieldDescriptor> fieldsByName(Descriptor type) {
    return FIELDS_BY_NAME.computeIfAbsent(
        type,
        t -> {
          Map<String, FieldDescriptor> m = new HashMap<>();
          for (FieldDescriptor f : t.getFields()) {
            m.put(f.getName(), f);
            m.put(f.getJsonName(), f);
          }
          return Map.copyOf(m);
        });
  }
}
