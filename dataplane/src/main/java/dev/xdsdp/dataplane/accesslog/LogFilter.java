package dev.xdsdp.dataplane.accesslog;

import dev.xdsdp.dataplane.formatter.FormatterContext;

/**
 * An access log filter ({@code envoy.config.accesslog.v3.AccessLogFilter}): decides whether an
 * entry is written. Immutable; evaluated on the stream's event loop.
 */
@FunctionalInterface
public interface LogFilter {

  boolean evaluate(FormatterContext context);
}
