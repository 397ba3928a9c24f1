package dev.xdsdp.dataplane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusFamiliesTest {

  /** Envoy's SymbolTable::lessThan, literally: split into tokens, compare token by token. */
  private static final Comparator<String> BY_TOKENS = (a, b) -> {
    String[] ta = a.split("\\.", -1);
    String[] tb = b.split("\\.", -1);
    for (int i = 0; i < Math.min(ta.length, tb.length); i++) {
      int c = ta[i].compareTo(tb[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(ta.length, tb.length);
  };

  @Test
  void tokenOrderIsSymbolTableOrder() {
    List<String> names = List.of("a", "a.b", "a_b", "a-b", "a.b.c", "ab", "ab.c", "a.", "a..b", "b",
        "cluster.backend.upstream_rq_200", "cluster.backend-1.upstream_rq_200",
        "cluster.backend.upstream_rq", "cluster.backend_x.a", "", ".");
    for (String x : names) {
      for (String y : names) {
        assertEquals(Integer.signum(BY_TOKENS.compare(x, y)),
            Integer.signum(PrometheusFamilies.TOKEN_ORDER.compare(x, y)), x + " vs " + y);
      }
    }
    List<String> sorted = new ArrayList<>(List.of("a-b.c", "a.c", "a_b"));
    sorted.sort(PrometheusFamilies.TOKEN_ORDER);
    // String order would put "a-b.c" first; token order compares "a" with "a-b".
    assertEquals(List.of("a.c", "a-b.c", "a_b"), sorted);
  }

  @Test
  void namesAreSanitizedPerCodePoint() {
    assertEquals("envoy_cluster_upstream_rq", PrometheusFamilies.metricName(new StatsStore(), "cluster.upstream_rq"));
    assertEquals("envoy_x_y_z__", PrometheusFamilies.metricName(new StatsStore(), "x.y-z.\uD83D\uDE00"));
  }
}
