package dev.xdsdp.dataplane.stats;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Renders doubles exactly as Envoy's C++ does, so admin output matches byte for byte. Envoy uses
 * three formatters: fmt's {@code {}} (shortest round-trip, fixed unless the exponent is below -4
 * or at least 16), {@code std::to_chars} (shortest round-trip, whichever of fixed and scientific
 * is shorter; JSON output) and printf-style {@code %.Ng} (Prometheus sums and bucket bounds).
 */
final class DoubleFormat {

  private DoubleFormat() {}

  /** fmt's {@code "{}"} for a double. */
  static String shortest(double value) {
    String special = special(value);
    if (special != null) {
      return special;
    }
    Decimal d = Decimal.shortest(value);
    boolean exponential = d.exponent < -4 || d.exponent >= 16;
    return d.sign() + (exponential ? d.scientific() : d.fixed());
  }

  /** {@code std::to_chars(double)}: the shorter of fixed and scientific, fixed on a tie. */
  static String toChars(double value) {
    String special = special(value);
    if (special != null) {
      return special;
    }
    Decimal d = Decimal.shortest(value);
    String fixed = d.fixed();
    String scientific = d.scientific();
    return d.sign() + (scientific.length() < fixed.length() ? scientific : fixed);
  }

  /** printf's {@code %.<precision>g}: no trailing zeros, no trailing point. */
  static String general(double value, int precision) {
    String special = special(value);
    if (special != null) {
      return special;
    }
    int p = precision == 0 ? 1 : precision;
    String sign = (value < 0 || (value == 0 && 1 / value < 0)) ? "-" : "";
    BigDecimal exact = new BigDecimal(Math.abs(value));
    if (exact.signum() == 0) {
      return sign + "0";
    }
    BigDecimal rounded = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
    String digits = rounded.unscaledValue().toString();
    int x = digits.length() - 1 - rounded.scale();
    if (p > x && x >= -4) {
      String plain = rounded.setScale(Math.max(0, p - 1 - x), RoundingMode.UNNECESSARY).toPlainString();
      return sign + stripFraction(plain);
    }
    StringBuilder mantissa = new StringBuilder(digits);
    while (mantissa.length() < p) {
      mantissa.append('0');
    }
    String m = mantissa.length() == 1 ? mantissa.toString() : mantissa.charAt(0) + "." + mantissa.substring(1);
    return sign + stripFraction(m) + exponent(x);
  }

  private static String special(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    return null;
  }

  private static String stripFraction(String s) {
    if (s.indexOf('.') < 0) {
      return s;
    }
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    return s.substring(0, end);
  }

  private static String exponent(int x) {
    int abs = Math.abs(x);
    return "e" + (x < 0 ? '-' : '+') + (abs < 10 ? "0" : "") + abs;
  }

  /** The shortest decimal digits that round-trip, and the exponent of the first digit. */
  private record Decimal(boolean negative, String digits, int exponent) {

    static Decimal shortest(double value) {
      boolean negative = value < 0 || (value == 0 && 1 / value < 0);
      double abs = Math.abs(value);
      if (abs == 0) {
        return new Decimal(negative, "0", 0);
      }
      // Double.toString yields the shortest round-trip digits (JDK 19+).
      BigDecimal bd = new BigDecimal(Double.toString(abs)).stripTrailingZeros();
      String digits = bd.unscaledValue().toString();
      return new Decimal(negative, digits, digits.length() - 1 - bd.scale());
    }

    String sign() {
      return negative ? "-" : "";
    }

    String fixed() {
      if (exponent < 0) {
        return "0." + "0".repeat(-exponent - 1) + digits;
      }
      if (digits.length() <= exponent + 1) {
        return digits + "0".repeat(exponent + 1 - digits.length());
      }
      return digits.substring(0, exponent + 1) + "." + digits.substring(exponent + 1);
    }

    String scientific() {
      String m = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return m + DoubleFormat.exponent(exponent);
    }
  }
}
