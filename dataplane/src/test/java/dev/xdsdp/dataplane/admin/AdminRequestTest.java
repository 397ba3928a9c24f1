package dev.xdsdp.dataplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminRequestTest {

  @Test
  void splitsPathAndDecodesParameters() {
    AdminRequest r = AdminRequest.of("GET", "/stats?usedonly&filter=%5Ecluster%5C.a+b&filter=second&x=%E2%82%AC", null,
        null);
    assertEquals("/stats", r.path());
    assertEquals("usedonly&filter=%5Ecluster%5C.a+b&filter=second&x=%E2%82%AC", r.query());
    assertTrue(r.has("usedonly"));
    assertEquals(Optional.of(""), r.first("usedonly"));
    assertEquals(Optional.empty(), r.nonEmpty("usedonly"));
    // '+' stays '+': regexes use it.
    assertEquals(Optional.of("^cluster\\.a+b"), r.first("filter"));
    assertEquals(List.of("^cluster\\.a+b", "second"), r.params().get("filter"));
    assertEquals(Optional.of("€"), r.first("x"));
    assertFalse(r.has("format"));
  }

  @Test
  void malformedEscapesAreKept() {
    AdminRequest r = AdminRequest.of("GET", "/x?a=%zz%4&b=100%", null, null);
    assertEquals(Optional.of("%zz%4"), r.first("a"));
    assertEquals(Optional.of("100%"), r.first("b"));
  }

  @Test
  void formBodyWhenTheUrlHasNoQuery() {
    AdminRequest form = AdminRequest.of("POST", "/logging", "application/x-www-form-urlencoded; charset=UTF-8",
        "level=debug");
    assertEquals(Optional.of("debug"), form.first("level"));
    AdminRequest both = AdminRequest.of("POST", "/logging?upstream=info", "application/x-www-form-urlencoded",
        "level=debug");
    assertEquals(List.of("upstream"), List.copyOf(both.params().keySet()));
    AdminRequest notForm = AdminRequest.of("POST", "/logging", "text/plain", "level=debug");
    assertTrue(notForm.params().isEmpty());
  }
}
