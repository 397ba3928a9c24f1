package dev.xdsdp.dataplane.accesslog;

import dev.xdsdp.dataplane.formatter.FormatterContext;

/**
 * One configured access log, Envoy's {@code AccessLog::Instance}. Immutable and shared by all
 * event loops.
 */
public interface AccessLogger {

  /**
   * Evaluates the log's filter and, when it passes, formats one entry and hands it to the log's
   * writer. Called on the stream's event loop; formatting happens here, I/O never does. Never
   * throws.
   */
  void log(FormatterContext context);
}
