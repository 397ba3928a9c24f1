package dev.xdsdp.dataplane.router;

import java.time.Duration;

/** Parses the {@code grpc-timeout} header ({@code 100m}, {@code 5S}, ...). */
final class GrpcTimeout {

  private GrpcTimeout() {}

  /** The timeout, or null when absent or malformed. */
  static Duration parse(String value) {
    if (value == null || value.length() < 2 || value.length() > 9) {
      return null;
    }
    long n;
    try {
      n = Long.parseLong(value.substring(0, value.length() - 1));
    } catch (NumberFormatException e) {
      return null;
    }
    return switch (value.charAt(value.length() - 1)) {
      case 'H' -> Duration.ofHours(n);
      case 'M' -> Duration.ofMinutes(n);
      case 'S' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMillis(n);
      case 'u' -> Duration.ofNanos(n * 1000);
      case 'n' -> Duration.ofNanos(n);
      default -> null;
    };
  }
}
