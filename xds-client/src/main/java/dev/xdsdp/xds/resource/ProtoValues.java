package dev.xdsdp.xds.resource;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.type.v3.FractionalPercent;

/** Small conversions from Envoy proto wrapper types with Envoy's defaults. */
public final class ProtoValues {

  private ProtoValues() {}

  public static java.time.Duration duration(Duration d) {
    return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /** {@code d} when {@code present}, else {@code fallback}. */
  public static java.time.Duration duration(boolean present, Duration d, java.time.Duration fallback) {
    return present ? duration(d) : fallback;
  }

  public static boolean bool(boolean present, BoolValue v, boolean fallback) {
    return present ? v.getValue() : fallback;
  }

  public static int uint32(boolean present, UInt32Value v, int fallback) {
    return present ? uint32(v.getValue()) : fallback;
  }

  /**
   * A proto uint32 (which Java reads as a signed int) as a non-negative int. Values above
   * {@link Integer#MAX_VALUE} saturate: configs say "no limit" with 4294967295 (Istio's circuit
   * breakers do), and a wrapped -1 would mean the opposite.
   */
  public static int uint32(int raw) {
    return raw < 0 ? Integer.MAX_VALUE : raw;
  }

  /** A fractional percent as a probability in [0, 1]. */
  public static double fraction(FractionalPercent p) {
    double denominator =
        switch (p.getDenominator()) {
          case HUNDRED -> 100.0;
          case TEN_THOUSAND -> 10_000.0;
          case MILLION -> 1_000_000.0;
          default -> 100.0;
        };
    return Math.min(1.0, p.getNumerator() / denominator);
  }
}
