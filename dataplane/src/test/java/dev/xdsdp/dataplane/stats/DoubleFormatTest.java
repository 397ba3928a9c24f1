package dev.xdsdp.dataplane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Expected strings are what fmt, std::to_chars and C's printf print for the same doubles. */
class DoubleFormatTest {

  @Test
  void shortestIsFmtBraces() {
    assertEquals("1", DoubleFormat.shortest(1.0));
    assertEquals("0", DoubleFormat.shortest(0.0));
    assertEquals("1.025", DoubleFormat.shortest(1.0 + 0.25 * 0.1));
    assertEquals("1.0995", DoubleFormat.shortest(1 + 0.995 * 0.1));
    assertEquals("nan", DoubleFormat.shortest(Double.NaN));
    assertEquals("-inf", DoubleFormat.shortest(Double.NEGATIVE_INFINITY));
    assertEquals("1000000", DoubleFormat.shortest(1e6));
    assertEquals("1000000000000000", DoubleFormat.shortest(1e15));
    assertEquals("1e+16", DoubleFormat.shortest(1e16));
    assertEquals("0.0001", DoubleFormat.shortest(1e-4));
    assertEquals("1e-05", DoubleFormat.shortest(1e-5));
    assertEquals("-2.5", DoubleFormat.shortest(-2.5));
  }

  @Test
  void toCharsPicksTheShorterNotation() {
    assertEquals("100", DoubleFormat.toChars(100));
    assertEquals("1e+05", DoubleFormat.toChars(100000));
    assertEquals("1e+06", DoubleFormat.toChars(1e6));
    assertEquals("99.5", DoubleFormat.toChars(0.995 * 100));
    assertEquals("0.001", DoubleFormat.toChars(0.001));
    assertEquals("1e-04", DoubleFormat.toChars(0.0001));
    assertEquals("1.5e-07", DoubleFormat.toChars(1.5e-7));
    assertEquals("0", DoubleFormat.toChars(0));
  }

  @Test
  void generalIsPrintfG() {
    // Values checked against printf("%.32g") / printf("%g").
    assertEquals("1.0500000000000000444089209850063", DoubleFormat.general(1.05, 32));
    assertEquals("3.0999999999999996447286321199499", DoubleFormat.general(1.05 + 2.05, 32));
    assertEquals("0.5", DoubleFormat.general(0.5, 32));
    assertEquals("3600000", DoubleFormat.general(3600000, 32));
    assertEquals("100000000000000000000", DoubleFormat.general(1e20, 32));
    assertEquals("0.00010000000000000000479217360238593", DoubleFormat.general(0.0001, 32));
    assertEquals("1.0000000000000000818030539140313e-05", DoubleFormat.general(0.00001, 32));
    assertEquals("0", DoubleFormat.general(0, 32));
    assertEquals("99.5", DoubleFormat.general(100 * 0.995, 6));
    assertEquals("99.9", DoubleFormat.general(100 * 0.999, 6));
    assertEquals("3.6e+06", DoubleFormat.general(3600000, 6));
    assertEquals("600000", DoubleFormat.general(600000, 6));
    assertEquals("0.1", DoubleFormat.general(0.1, 15));
    assertEquals("nan", DoubleFormat.general(Double.NaN, 32));
  }
}
