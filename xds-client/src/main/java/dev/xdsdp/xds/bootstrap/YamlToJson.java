package dev.xdsdp.xds.bootstrap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Turns a YAML document into the JSON tree Envoy would build from it ({@code parseYamlNode} in
 * Envoy's {@code yaml_utility.cc}), so that the same document means the same config here:
 *
 * <ul>
 *   <li>a quoted or block scalar is a string;
 *   <li>a plain scalar is null ({@code ~}, {@code null}, empty), else a boolean (yaml-cpp's set:
 *       true/false/yes/no/on/off/y/n in lower, Capital or UPPER case), else an integer (decimal,
 *       {@code 0x} hex, {@code 0o} octal) that is a JSON number when it fits in 32 bits and a
 *       decimal string otherwise (proto3 JSON takes 64-bit integers as strings), else a string
 *       (so {@code 0.25} and {@code 1s} stay text for the proto parser to read by field type);
 *   <li>anchors and aliases expand; merge keys ({@code <<: *base}, {@code <<: [*a, *b]}) copy the
 *       keys the mapping does not set itself; keys tagged {@code !ignore} are dropped (Envoy's
 *       way to park anchors); a repeated key keeps its last value, as yaml-cpp does, with a
 *       warning.
 * </ul>
 */
final class YamlToJson {

  private static final Set<String> TRUE_WORDS = Set.of("y", "yes", "true", "on");
  private static final Set<String> FALSE_WORDS = Set.of("n", "no", "false", "off");
  private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private final String sourceName;
  private final List<String> warnings;
  private final Map<Node, Boolean> inProgress = new IdentityHashMap<>();

  private YamlToJson(String sourceName, List<String> warnings) {
    this.sourceName = sourceName;
    this.warnings = warnings;
  }

  /**
   * The JSON tree of a single-document YAML text, or {@link Optional#empty()} for an empty
   * document. Warnings (repeated keys) are appended to {@code warnings}.
   */
  static Optional<JsonElement> convert(String yaml, String sourceName, List<String> warnings)
      throws ConfigParseException {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(sourceName)
            .setAllowRecursiveKeys(false)
            // Envoy configs reuse anchors a lot; keep a bound against alias bombs all the same.
            .setMaxAliasesForCollections(10_000)
            .setCodePointLimit(Integer.MAX_VALUE)
            .build();
    Optional<Node> root;
    try {
      root = new Compose(settings).composeString(yaml);
    } catch (MarkedYamlEngineException e) {
      throw ConfigParseException.atLine(sourceName, lineOf(e), problemOf(e), e);
    } catch (YamlEngineException e) {
      throw ConfigParseException.general(sourceName, e.getMessage(), e);
    }
    if (root.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new YamlToJson(sourceName, warnings).node(root.get()));
  }

  private JsonElement node(Node node) throws ConfigParseException {
    return switch (node) {
      case ScalarNode scalar -> scalar(scalar);
      case SequenceNode sequence -> {
        enter(node);
        JsonArray array = new JsonArray();
        for (Node item : sequence.getValue()) {
          array.add(node(item));
        }
        inProgress.remove(node);
        yield array;
      }
      case MappingNode mapping -> {
        enter(node);
        JsonObject object = new JsonObject();
        mapping(mapping, object, false);
        inProgress.remove(node);
        yield object;
      }
      default ->
          throw ConfigParseException.atLine(
              sourceName, line(node), "unsupported YAML node " + node.getNodeType(), null);
    };
  }

  private void enter(Node node) throws ConfigParseException {
    if (inProgress.put(node, Boolean.TRUE) != null) {
      throw ConfigParseException.atLine(
          sourceName, line(node), "recursive alias: a node contains itself", null);
    }
  }

  /**
   * Copies a mapping's entries into {@code into}. Merged entries ({@code fromMerge}) never replace
   * keys already present, explicit ones always do: that gives YAML's precedence whatever the order
   * of {@code <<} among the keys.
   */
  private void mapping(MappingNode mapping, JsonObject into, boolean fromMerge)
      throws ConfigParseException {
    List<Node> merges = new ArrayList<>();
    Map<String, Integer> seenAt = new java.util.HashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode keyScalar)) {
        throw ConfigParseException.atLine(
            sourceName, line(keyNode), "mapping keys must be scalars", null);
      }
      if ("!ignore".equals(keyNode.getTag().getValue())) {
        continue;
      }
      String key = keyScalar.getValue();
      if (keyScalar.isPlain() && key.equals("<<")) {
        merges.add(tuple.getValueNode());
        continue;
      }
      if (fromMerge) {
        if (!into.has(key)) {
          into.add(key, node(tuple.getValueNode()));
        }
        continue;
      }
      Integer previous = seenAt.put(key, line(keyNode));
      if (previous != null) {
        warnings.add(
            sourceName + ": line " + line(keyNode) + ": duplicate key \"" + key
                + "\" (first at line " + previous + "); the last value is used");
      }
      into.add(key, node(tuple.getValueNode()));
    }
    for (Node merge : merges) {
      switch (merge) {
        case MappingNode m -> mergeFrom(m, into);
        case SequenceNode s -> {
          for (Node item : s.getValue()) {
            if (!(item instanceof MappingNode m)) {
              throw ConfigParseException.atLine(
                  sourceName, line(item), "a merge key (<<) takes a mapping or a list of mappings",
                  null);
            }
            mergeFrom(m, into);
          }
        }
        default ->
            throw ConfigParseException.atLine(
                sourceName, line(merge), "a merge key (<<) takes a mapping or a list of mappings",
                null);
      }
    }
  }

  private void mergeFrom(MappingNode source, JsonObject into) throws ConfigParseException {
    enter(source);
    mapping(source, into, true);
    inProgress.remove(source);
  }

  private static JsonElement scalar(ScalarNode scalar) {
    String text = scalar.getValue();
    if (!scalar.isPlain()) {
      return new JsonPrimitive(text);
    }
    if (text.isEmpty() || text.equals("~") || text.equals("null") || text.equals("Null")
        || text.equals("NULL")) {
      return JsonNull.INSTANCE;
    }
    Boolean bool = yamlBool(text);
    if (bool != null) {
      return new JsonPrimitive(bool);
    }
    BigInteger integer = yamlInt(text);
    if (integer != null) {
      if (integer.bitLength() < 32) {
        return new JsonPrimitive(integer.intValue());
      }
      return new JsonPrimitive(integer.toString());
    }
    return new JsonPrimitive(text);
  }

  /** yaml-cpp's {@code convert<bool>}: the words in lower case, Capitalised, or UPPER case. */
  private static Boolean yamlBool(String text) {
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    boolean isTrue = TRUE_WORDS.contains(lower);
    if (!isTrue && !FALSE_WORDS.contains(lower)) {
      return null;
    }
    String capitalised = Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    if (text.equals(lower) || text.equals(capitalised)
        || text.equals(lower.toUpperCase(java.util.Locale.ROOT))) {
      return isTrue;
    }
    return null;
  }

  /** yaml-cpp's {@code convert<int64_t>}: decimal with sign, 0x hex, 0o octal, in int64 range. */
  private static BigInteger yamlInt(String text) {
    int radix = 10;
    String digits = text;
    boolean negative = false;
    if (digits.startsWith("-") || digits.startsWith("+")) {
      negative = digits.charAt(0) == '-';
      digits = digits.substring(1);
    }
    if (digits.startsWith("0x") || digits.startsWith("0X")) {
      if (negative || text.startsWith("+")) {
        return null;
      }
      radix = 16;
      digits = digits.substring(2);
    } else if (digits.startsWith("0o") || digits.startsWith("0O")) {
      if (negative || text.startsWith("+")) {
        return null;
      }
      radix = 8;
      digits = digits.substring(2);
    }
    if (digits.isEmpty()) {
      return null;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), radix) < 0) {
        return null;
      }
    }
    BigInteger value = new BigInteger(digits, radix);
    if (negative) {
      value = value.negate();
    }
    if (value.compareTo(INT64_MIN) < 0 || value.compareTo(INT64_MAX) > 0) {
      return null;
    }
    return value;
  }

  private static int line(Node node) {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }

  private static int lineOf(MarkedYamlEngineException e) {
    Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
    return mark.map(m -> m.getLine() + 1).orElse(0);
  }

  private static String problemOf(MarkedYamlEngineException e) {
    String problem = e.getProblem();
    if (problem == null || problem.isBlank()) {
      problem = e.getContext();
    }
    return problem == null ? "invalid YAML" : problem.strip();
  }
}
