package dev.xdsdp.xds.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The YAML → JSON step alone: Envoy's scalar typing, anchors, merge keys, !ignore. */
class YamlToJsonTest {

  private static String json(String yaml) throws ConfigParseException {
    return json(yaml, new ArrayList<>());
  }

  private static String json(String yaml, List<String> warnings) throws ConfigParseException {
    JsonElement e = YamlToJson.convert(yaml, "t.yaml", warnings).orElseThrow();
    return e.toString();
  }

  @Test
  void plainScalarsAreTypedLikeYamlCpp() throws Exception {
    assertEquals(
        "{\"a\":true,\"b\":false,\"c\":true,\"d\":false,\"e\":true,\"f\":\"tRUE\"}",
        json("a: yes\nb: Off\nc: TRUE\nd: n\ne: Y\nf: tRUE"));
    assertEquals(
        "{\"a\":42,\"b\":-7,\"c\":255,\"d\":8,\"e\":\"4294967296\",\"f\":\"1.5\",\"g\":\"1e3\","
            + "\"h\":\"99999999999999999999\"}",
        json("a: 42\nb: -7\nc: 0xff\nd: 0o10\ne: 4294967296\nf: 1.5\ng: 1e3\nh: 99999999999999999999"));
    assertEquals(
        "{\"a\":null,\"b\":null,\"c\":null,\"d\":\"yes\",\"e\":\"42\",\"f\":\"x\\n\"}",
        json("a: ~\nb:\nc: NULL\nd: 'yes'\ne: \"42\"\nf: |\n  x\n"));
  }

  @Test
  void anchorsAliasesAndMergeKeys() throws Exception {
    String yaml =
        """
        base: &base {a: 1, b: 2}
        more: &more {b: 20, c: 30}
        one:
          <<: *base
          b: 3
        two:
          <<: [*more, *base]
        list: [*base, *base]
        """;
    assertEquals(
        "{\"base\":{\"a\":1,\"b\":2},\"more\":{\"b\":20,\"c\":30},\"one\":{\"b\":3,\"a\":1},"
            + "\"two\":{\"b\":20,\"c\":30,\"a\":1},\"list\":[{\"a\":1,\"b\":2},{\"a\":1,\"b\":2}]}",
        json(yaml));
  }

  @Test
  void ignoreTaggedKeysAreDropped() throws Exception {
    assertEquals(
        "{\"x\":{\"k\":\"v\"}}",
        json("!ignore defaults: &d {k: v}\nx: *d"));
  }

  @Test
  void repeatedKeysKeepTheLastValueWithAWarning() throws Exception {
    List<String> warnings = new ArrayList<>();
    assertEquals("{\"a\":2}", json("a: 1\na: 2\n", warnings));
    assertEquals(
        List.of("t.yaml: line 2: duplicate key \"a\" (first at line 1); the last value is used"),
        warnings);
  }

  @Test
  void syntaxErrorsNameTheLine() {
    ConfigParseException e =
        assertThrows(ConfigParseException.class, () -> json("a:\n  b: [1, 2\nc: 3\n"));
    assertTrue(e.getMessage().startsWith("t.yaml: line "), e.getMessage());
    ConfigParseException tab =
        assertThrows(ConfigParseException.class, () -> json("a:\n\tb: 1\n"));
    assertEquals(2, tab.line());
    ConfigParseException badMerge =
        assertThrows(ConfigParseException.class, () -> json("a:\n  <<: 3\n"));
    assertEquals("t.yaml: line 2: a merge key (<<) takes a mapping or a list of mappings",
        badMerge.getMessage());
    ConfigParseException complexKey =
        assertThrows(ConfigParseException.class, () -> json("? [a, b]\n: 1\n"));
    assertEquals("t.yaml: line 1: mapping keys must be scalars", complexKey.getMessage());
  }

  @Test
  void emptyDocument() throws Exception {
    assertTrue(YamlToJson.convert("# only a comment\n", "t.yaml", new ArrayList<>()).isEmpty());
  }
}
