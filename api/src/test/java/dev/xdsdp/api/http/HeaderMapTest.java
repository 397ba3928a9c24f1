package dev.xdsdp.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderMapTest {

  @Test
  void namesAreLowerCasedAndLookupIsCaseInsensitive() {
    HeaderMap h = HeaderMap.create();
    h.add("Content-Type", "text/plain");
    assertEquals("text/plain", h.get("content-type"));
    assertEquals("text/plain", h.get("CONTENT-TYPE"));
    assertEquals(List.of(Map.entry("content-type", "text/plain")), h.entries());
  }

  @Test
  void pseudoHeadersStayAheadOfRegularHeadersInInsertionOrder() {
    HeaderMap h = HeaderMap.create();
    h.add("x-a", "1");
    h.add(":method", "GET");
    h.add("x-b", "2");
    h.add(":path", "/p");
    assertEquals(
        List.of(Map.entry(":method", "GET"), Map.entry(":path", "/p"), Map.entry("x-a", "1"),
            Map.entry("x-b", "2")),
        h.entries());
    h.remove(":method");
    h.add(":authority", "host");
    assertEquals(":authority", h.entries().get(1).getKey());
    assertEquals("x-a", h.entries().get(2).getKey());
  }

  @Test
  void setReplacesAllValuesAtTheFirstPosition() {
    HeaderMap h = HeaderMap.create();
    h.add("a", "1");
    h.add("b", "2");
    h.add("a", "3");
    h.set("A", "9");
    assertEquals(List.of(Map.entry("a", "9"), Map.entry("b", "2")), h.entries());
    h.set("c", "4");
    assertEquals("4", h.get("c"));
  }

  @Test
  void multipleValuesRemoveAndPrefixRemove() {
    HeaderMap h = HeaderMap.create();
    h.add("x-envoy-a", "1");
    h.add("set-cookie", "a");
    h.add("set-cookie", "b");
    h.add("x-envoy-b", "2");
    assertEquals(List.of("a", "b"), h.getAll("Set-Cookie"));
    assertEquals(2, h.removePrefix("x-envoy-"));
    assertEquals(2, h.remove("set-cookie"));
    assertTrue(h.isEmpty());
    assertNull(h.get("set-cookie"));
    assertFalse(h.contains("x-envoy-a"));
  }

  @Test
  void copyIsIndependentAndStatusParses() {
    HeaderMap h = HeaderMap.create();
    h.add(":status", "503");
    HeaderMap c = h.copy();
    c.set(":status", "200");
    assertEquals(503, h.status());
    assertEquals(200, c.status());
    assertEquals(":status".length() + 3, h.byteSize());
  }
}
