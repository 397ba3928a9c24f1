package dev.xdsdp.xds.bootstrap;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses any Envoy message from YAML or JSON the way Envoy's {@code MessageUtil::loadFromYaml}
 * and {@code loadFromJson} do, with the same type registry and leniencies as the bootstrap:
 * enum names in any case, TypedStruct-wrapped {@code typed_config}s unwrapped, deprecated fields
 * kept (and reported), and errors that name the source and the field path.
 *
 * <pre>{@code
 * Cluster.Builder b = Cluster.newBuilder();
 * EnvoyJson.parse("name: backend\ntype: strict_dns\nlb_policy: round_robin", b, "cluster.yaml");
 * }</pre>
 *
 * <p>Thread-safe; the first call pays for building the {@link EnvoyTypeRegistry}.
 */
public final class EnvoyJson {

  private static final Pattern GSON_LOCATION =
      Pattern.compile("\\s*at line (\\d+) column (\\d+)(?: path \\S*)?");
  private static final TypeAdapter<JsonElement> JSON_ELEMENT =
      new com.google.gson.Gson().getAdapter(JsonElement.class);

  private EnvoyJson() {}

  /**
   * Parses a YAML (or JSON, which is YAML) document into {@code into}, rejecting unknown fields.
   * Notes (deprecated fields, repeated keys) are returned.
   */
  public static ParseNotes parse(String yamlOrJson, Message.Builder into, String sourceName)
      throws ConfigParseException {
    return parse(yamlOrJson, into, sourceName, false);
  }

  /**
   * Parses a YAML (or JSON) document into {@code into}. With {@code allowUnknownFields}, unknown
   * fields and enum names are dropped with a warning each instead of failing the parse (Envoy's
   * {@code --allow-unknown-static-fields}).
   */
  public static ParseNotes parse(
      String yamlOrJson, Message.Builder into, String sourceName, boolean allowUnknownFields)
      throws ConfigParseException {
    List<String> warnings = new ArrayList<>();
    Optional<JsonElement> tree = YamlToJson.convert(yamlOrJson, sourceName, warnings);
    if (tree.isEmpty()) {
      throw ConfigParseException.general(sourceName, "the document is empty", null);
    }
    return parseTree(tree.get(), into, sourceName, allowUnknownFields, warnings);
  }

  /**
   * Parses a strict JSON document (as in a {@code .json} bootstrap; no YAML conversion, so
   * numbers keep their JSON types) into {@code into}.
   */
  public static ParseNotes parseJson(
      String json, Message.Builder into, String sourceName, boolean allowUnknownFields)
      throws ConfigParseException {
    JsonElement tree;
    try (JsonReader reader = new JsonReader(new StringReader(json))) {
      reader.setLenient(false);
      if (reader.peek() == JsonToken.END_DOCUMENT) {
        throw ConfigParseException.general(sourceName, "the document is empty", null);
      }
      tree = JSON_ELEMENT.read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw ConfigParseException.general(
            sourceName, "unexpected content after the JSON document", null);
      }
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw jsonSyntaxError(sourceName, e);
    }
    return parseTree(tree, into, sourceName, allowUnknownFields, new ArrayList<>());
  }

  static ParseNotes parseTree(
      JsonElement tree,
      Message.Builder into,
      String sourceName,
      boolean allowUnknownFields,
      List<String> warnings)
      throws ConfigParseException {
    if (tree.isJsonNull()) {
      throw ConfigParseException.general(sourceName, "the document is empty", null);
    }
    EnvoyTypeRegistry types = EnvoyTypeRegistry.get();
    List<String> deprecations = new ArrayList<>();
    JsonNormalizer normalizer =
        new JsonNormalizer(types, sourceName, allowUnknownFields, warnings, deprecations);
    JsonElement normalized = normalizer.document(tree, into.getDescriptorForType());
    try {
      // Only the Any types this document uses: much cheaper than the full index.
      JsonFormat.parser()
          .usingTypeRegistry(EnvoyTypeRegistry.jsonRegistryFor(normalizer.anyTypes()))
          .merge(normalized.toString(), into);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // The normaliser checks what JsonFormat checks; reaching this means a case it misses.
      throw ConfigParseException.general(sourceName, String.valueOf(e.getMessage()), e);
    }
    return new ParseNotes(warnings, deprecations);
  }

  private static ConfigParseException jsonSyntaxError(String sourceName, Exception e) {
    String message = String.valueOf(e.getMessage());
    Matcher m = GSON_LOCATION.matcher(message);
    int line = 0;
    if (m.find()) {
      line = Integer.parseInt(m.group(1));
      message = message.substring(0, m.start()) + message.substring(m.end());
    }
    message = message.replace("Use JsonReader.setLenient(true) to accept malformed JSON", "malformed JSON")
        .replaceAll("\\s*See https://\\S+", "")
        .strip();
    if (message.startsWith("com.google.gson.stream.MalformedJsonException: ")) {
      message = message.substring("com.google.gson.stream.MalformedJsonException: ".length());
    }
    return line > 0
        ? ConfigParseException.atLine(sourceName, line, message, e)
        : ConfigParseException.general(sourceName, message, e);
  }
}
