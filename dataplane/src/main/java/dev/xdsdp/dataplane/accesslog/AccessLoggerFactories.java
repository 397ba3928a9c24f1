package dev.xdsdp.dataplane.accesslog;

import dev.xdsdp.api.accesslog.AccessLoggerFactory;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.dataplane.formatter.FormatterContext;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import java.util.List;
import java.util.Set;

/**
 * Registers the built-in access loggers ({@code envoy.access_loggers.file}, {@code .stdout},
 * {@code .stderr}) with the extension registry, over one {@link AccessLogManager}.
 */
public final class AccessLoggerFactories {

  private AccessLoggerFactories() {}

  public static List<AccessLoggerFactory> create(AccessLogManager manager) {
    AccessLogs logs = new AccessLogs(manager);
    return List.of(
        factory("envoy.access_loggers.file", AccessLogs.FILE_TYPE, logs),
        factory("envoy.access_loggers.stdout", AccessLogs.STDOUT_TYPE, logs),
        factory("envoy.access_loggers.stderr", AccessLogs.STDERR_TYPE, logs));
  }

  private static AccessLoggerFactory factory(String name, String type, AccessLogs logs) {
    return new AccessLoggerFactory() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Set<String> configTypeUrls() {
        return Set.of("type.googleapis.com/" + type);
      }

      @Override
      public dev.xdsdp.api.accesslog.AccessLogger create(AccessLog config, FactoryContext context)
          throws FilterConfigException {
        AccessLogger logger;
        try {
          logger = logs.create(config);
        } catch (AccessLogConfigException e) {
          throw new FilterConfigException(e.getMessage(), e);
        }
        // A stream info without a protocol is a TCP connection (tcp_proxy's access log).
        return (req, resp, trailers, info) -> logger.log(new FormatterContext(req, resp, trailers, info, "",
            info.protocol() == null ? AccessLogType.TcpConnectionEnd : AccessLogType.DownstreamEnd));
      }
    };
  }
}
