package dev.xdsdp.api.accesslog;

import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import java.util.Set;

/**
 * An access logger extension, registered by the type URLs of the {@code typed_config} it takes.
 * Gets the whole {@code AccessLog} so it can also honour its {@code filter}.
 */
public interface AccessLoggerFactory {

  /** Envoy's extension name, e.g. {@code envoy.access_loggers.file}. */
  String name();

  Set<String> configTypeUrls();

  /** Validates {@code config} and builds the logger; runs off the event loops. */
  AccessLogger create(AccessLog config, FactoryContext context) throws FilterConfigException;
}
