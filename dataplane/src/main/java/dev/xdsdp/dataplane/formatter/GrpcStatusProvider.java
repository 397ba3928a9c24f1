package dev.xdsdp.dataplane.formatter;

/** {@code %GRPC_STATUS(CAMEL_STRING|SNAKE_STRING|NUMBER)%} and {@code %GRPC_STATUS_NUMBER%}. */
record GrpcStatusProvider(Style style) implements FormatterProvider {

  enum Style {
    CAMEL_STRING,
    SNAKE_STRING,
    NUMBER
  }

  static GrpcStatusProvider create(String arg) throws FormatterException {
    return switch (arg) {
      case "", "CAMEL_STRING" -> new GrpcStatusProvider(Style.CAMEL_STRING);
      case "SNAKE_STRING" -> new GrpcStatusProvider(Style.SNAKE_STRING);
      case "NUMBER" -> new GrpcStatusProvider(Style.NUMBER);
      default -> throw new FormatterException(
          "GrpcStatusFormatter only supports CAMEL_STRING, SNAKE_STRING or NUMBER.");
    };
  }

  private Integer status(FormatterContext ctx) {
    // Envoy checks that the request was gRPC before logging a status for it.
    if (!GrpcStatus.isGrpcRequest(ctx.requestHeaders())) {
      return null;
    }
    return GrpcStatus.of(ctx, true);
  }

  @Override
  public String format(FormatterContext context) {
    Integer s = status(context);
    if (s == null) {
      return null;
    }
    return switch (style) {
      case CAMEL_STRING -> GrpcStatus.camel(s);
      case SNAKE_STRING -> GrpcStatus.snake(s);
      case NUMBER -> Integer.toString(s);
    };
  }

  @Override
  public Object formatValue(FormatterContext context) {
    if (style == Style.NUMBER) {
      Integer s = status(context);
      return s == null ? null : (Object) (long) s;
    }
    return format(context);
  }
}
