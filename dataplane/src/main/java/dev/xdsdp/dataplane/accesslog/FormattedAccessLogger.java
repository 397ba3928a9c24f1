package dev.xdsdp.dataplane.accesslog;

import dev.xdsdp.dataplane.formatter.Formatter;
import dev.xdsdp.dataplane.formatter.FormatterContext;

/**
 * A file, stdout or stderr access log: filter, then format on the event loop, then hand the
 * entry to the shared {@link AccessLogFile} buffer.
 *
 * @param name the {@code AccessLog.name}, for diagnostics
 * @param filter the log's filter, or null to log everything
 */
public record FormattedAccessLogger(String name, LogFilter filter, Formatter formatter, AccessLogFile file)
    implements AccessLogger {

  private static final System.Logger LOG = System.getLogger("main");

  @Override
  public void log(FormatterContext context) {
    try {
      if (filter != null && !filter.evaluate(context)) {
        return;
      }
      file.write(formatter.format(context));
    } catch (RuntimeException e) {
      // A bug in a provider must not break the stream that is being logged.
      LOG.log(System.Logger.Level.WARNING, "access log '" + name + "' failed", e);
    }
  }
}
