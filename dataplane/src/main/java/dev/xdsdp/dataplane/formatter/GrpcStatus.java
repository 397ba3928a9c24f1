package dev.xdsdp.dataplane.formatter;

import dev.xdsdp.api.http.HeaderMap;

/**
 * The gRPC status of a stream as Envoy's {@code Grpc::Common::getGrpcStatus} finds it: the
 * {@code grpc-status} trailer, else the header (trailers-only responses), else mapped from the
 * HTTP status.
 */
public final class GrpcStatus {

  /** Envoy's {@code InvalidCode}: a {@code grpc-status} that is not a number we accept. */
  public static final int INVALID_CODE = -1;

  /** The highest well-known code, {@code UNAUTHENTICATED}. */
  public static final int MAXIMUM_KNOWN = 16;

  /** Status names as Envoy's {@code grpcStatusToString} (CAMEL_STRING) prints them. */
  private static final String[] CAMEL = {
    "Ok", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
    "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
    "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"
  };

  /** Status names as absl's {@code StatusCodeToString} (SNAKE_STRING) prints them. */
  private static final String[] SNAKE = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
    "UNAUTHENTICATED"
  };

  private GrpcStatus() {}

  /**
   * The stream's gRPC status, or null when there is none (no trailer, header or response code).
   *
   * @param allowUserDefined whether codes above {@link #MAXIMUM_KNOWN} are kept; otherwise they
   *     become {@link #INVALID_CODE}
   */
  public static Integer of(FormatterContext ctx, boolean allowUserDefined) {
    Integer s = fromHeaders(ctx.responseTrailers(), allowUserDefined);
    if (s == null) {
      s = fromHeaders(ctx.responseHeaders(), allowUserDefined);
    }
    if (s == null) {
      int code = ctx.streamInfo().responseCode();
      if (code != 0) {
        s = fromHttpStatus(code);
      }
    }
    return s;
  }

  private static Integer fromHeaders(HeaderMap headers, boolean allowUserDefined) {
    if (headers == null) {
      return null;
    }
    String v = headers.get("grpc-status");
    if (v == null) {
      return null;
    }
    long code;
    try {
      code = Long.parseLong(v);
    } catch (NumberFormatException e) {
      return INVALID_CODE;
    }
    if (code < 0 || code > 0xffffffffL || (code > MAXIMUM_KNOWN && !allowUserDefined)) {
      return INVALID_CODE;
    }
    return (int) code;
  }

  /** Envoy's {@code Grpc::Utility::httpToGrpcStatus}. */
  public static int fromHttpStatus(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> 13; // Internal
      case 401 -> 16; // Unauthenticated
      case 403 -> 7; // PermissionDenied
      case 404 -> 12; // Unimplemented
      case 429, 502, 503, 504 -> 14; // Unavailable
      default -> 2; // Unknown
    };
  }

  /** Whether the request is gRPC: {@code content-type} {@code application/grpc[+...|;...]}. */
  public static boolean isGrpcRequest(HeaderMap requestHeaders) {
    if (requestHeaders == null) {
      return false;
    }
    String ct = requestHeaders.get("content-type");
    if (ct == null || !ct.startsWith("application/grpc")) {
      return false;
    }
    if (ct.length() == "application/grpc".length()) {
      return true;
    }
    char next = ct.charAt("application/grpc".length());
    return next == '+' || next == ';';
  }

  static String camel(int code) {
    return code >= 0 && code < CAMEL.length ? CAMEL[code] : Integer.toString(code);
  }

  static String snake(int code) {
    return code >= 0 && code < SNAKE.length ? SNAKE[code] : Integer.toString(code);
  }
}
