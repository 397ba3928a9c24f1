package dev.xdsdp.dataplane.accesslog;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.xdsdp.dataplane.formatter.Formatter;
import dev.xdsdp.dataplane.formatter.FormatterContext;
import dev.xdsdp.dataplane.formatter.FormatterException;
import dev.xdsdp.dataplane.formatter.SubstitutionFormatStrings;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code envoy.config.accesslog.v3.AccessLog} protos (an HCM's {@code access_log}, a
 * router's {@code upstream_log}, ...) into immutable {@link AccessLogger}s. Built-in loggers:
 * {@code envoy.access_loggers.file} ({@code FileAccessLog}), {@code envoy.access_loggers.stdout}
 * and {@code envoy.access_loggers.stderr}. The {@code typed_config} is found by type URL (also
 * inside a {@code TypedStruct}), then, when absent, by name.
 *
 * <p>Runs at config time, off the event loops: it may open files.
 */
public final class AccessLogs {

  static final String FILE_TYPE = "envoy.extensions.access_loggers.file.v3.FileAccessLog";
  static final String STDOUT_TYPE = "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog";
  static final String STDERR_TYPE = "envoy.extensions.access_loggers.stream.v3.StderrAccessLog";
  private static final String UDPA_TYPED_STRUCT = "udpa.type.v1.TypedStruct";
  private static final String XDS_TYPED_STRUCT = "xds.type.v3.TypedStruct";

  private final AccessLogManager manager;

  public AccessLogs(AccessLogManager manager) {
    this.manager = manager;
  }

  /**
   * One logger per config, in order.
   *
   * @throws AccessLogConfigException naming the entry ({@code access_log[i]}) and the problem
   */
  public List<AccessLogger> create(List<AccessLog> configs) throws AccessLogConfigException {
    List<AccessLogger> out = new ArrayList<>(configs.size());
    for (int i = 0; i < configs.size(); i++) {
      out.add(create(configs.get(i), "access_log[" + i + "]"));
    }
    return List.copyOf(out);
  }

  /** The logger {@code config} describes. */
  public AccessLogger create(AccessLog config) throws AccessLogConfigException {
    return create(config, "access_log");
  }

  /** Logs {@code context} to every logger of {@code loggers}; for the stream's event loop. */
  public static void logAll(List<AccessLogger> loggers, FormatterContext context) {
    for (int i = 0; i < loggers.size(); i++) {
      loggers.get(i).log(context);
    }
  }

  private AccessLogger create(AccessLog config, String field) throws AccessLogConfigException {
    String where = field + (config.getName().isEmpty() ? "" : " '" + config.getName() + "'");
    LogFilter filter = config.hasFilter()
        ? LogFilters.fromProto(config.getFilter(), field + ".filter")
        : null;
    Message typed = typedConfig(config, where);
    try {
      return switch (typed) {
        case FileAccessLog f -> fileLogger(config.getName(), filter, f, where);
        case StdoutAccessLog s -> new FormattedAccessLogger(config.getName(), filter,
            streamFormat(s.hasLogFormat() ? s.getLogFormat() : null), manager.stdout());
        case StderrAccessLog s -> new FormattedAccessLogger(config.getName(), filter,
            streamFormat(s.hasLogFormat() ? s.getLogFormat() : null), manager.stderr());
        default -> throw new AccessLogConfigException(
            where + ": unsupported access logger " + typed.getDescriptorForType().getFullName());
      };
    } catch (FormatterException e) {
      throw new AccessLogConfigException(where + ": " + e.getMessage(), e);
    }
  }

  // Deprecated format fields are still accepted, as Envoy accepts them.
  @SuppressWarnings("deprecation")
  private AccessLogger fileLogger(String name, LogFilter filter, FileAccessLog f, String where)
      throws AccessLogConfigException, FormatterException {
    if (f.getPath().isEmpty()) {
      throw new AccessLogConfigException(
          where + ": path: value length must be at least 1 characters");
    }
    Formatter formatter = switch (f.getAccessLogFormatCase()) {
      case FORMAT -> f.getFormat().isEmpty()
          ? SubstitutionFormatStrings.defaultFormatter()
          : SubstitutionFormatStrings.text(f.getFormat());
      // Both deprecated JSON fields are typed JSON now, as in Envoy.
      case JSON_FORMAT -> SubstitutionFormatStrings.json(f.getJsonFormat(), false);
      case TYPED_JSON_FORMAT -> SubstitutionFormatStrings.json(f.getTypedJsonFormat(), false);
      case LOG_FORMAT -> SubstitutionFormatStrings.fromProto(f.getLogFormat());
      case ACCESSLOGFORMAT_NOT_SET -> SubstitutionFormatStrings.defaultFormatter();
    };
    AccessLogFile file;
    try {
      file = manager.file(f.getPath());
    } catch (AccessLogConfigException e) {
      throw new AccessLogConfigException(where + ": " + e.getMessage(), e);
    }
    return new FormattedAccessLogger(name, filter, formatter, file);
  }

  private static Formatter streamFormat(SubstitutionFormatString format) throws FormatterException {
    return format == null
        ? SubstitutionFormatStrings.defaultFormatter()
        : SubstitutionFormatStrings.fromProto(format);
  }

  /** The logger's config message: by type URL (unwrapping a TypedStruct), else by name. */
  private static Message typedConfig(AccessLog config, String where) throws AccessLogConfigException {
    if (!config.hasTypedConfig()) {
      return switch (config.getName()) {
        case "envoy.access_loggers.file", "envoy.file_access_log" ->
            FileAccessLog.getDefaultInstance();
        case "envoy.access_loggers.stdout" -> StdoutAccessLog.getDefaultInstance();
        case "envoy.access_loggers.stderr" -> StderrAccessLog.getDefaultInstance();
        default -> throw new AccessLogConfigException(
            where + ": Didn't find a registered implementation for name: '" + config.getName() + "'");
      };
    }
    Any any = config.getTypedConfig();
    String type = typeName(any.getTypeUrl());
    try {
      if (type.equals(UDPA_TYPED_STRUCT)) {
        var ts = any.unpack(com.github.udpa.udpa.type.v1.TypedStruct.class);
        return fromStruct(typeName(ts.getTypeUrl()), ts.getValue(), config.getName(), where);
      }
      if (type.equals(XDS_TYPED_STRUCT)) {
        var ts = any.unpack(com.github.xds.type.v3.TypedStruct.class);
        return fromStruct(typeName(ts.getTypeUrl()), ts.getValue(), config.getName(), where);
      }
      return switch (type) {
        case FILE_TYPE -> any.unpack(FileAccessLog.class);
        case STDOUT_TYPE -> any.unpack(StdoutAccessLog.class);
        case STDERR_TYPE -> any.unpack(StderrAccessLog.class);
        default -> throw unknown(config.getName(), type, where);
      };
    } catch (InvalidProtocolBufferException e) {
      throw new AccessLogConfigException(
          where + ": unable to unpack typed_config as " + type + ": " + e.getMessage(), e);
    }
  }

  private static Message fromStruct(String type, Struct value, String name, String where)
      throws AccessLogConfigException, InvalidProtocolBufferException {
    Message.Builder b = switch (type) {
      case FILE_TYPE -> FileAccessLog.newBuilder();
      case STDOUT_TYPE -> StdoutAccessLog.newBuilder();
      case STDERR_TYPE -> StderrAccessLog.newBuilder();
      default -> throw unknown(name, type, where);
    };
    JsonFormat.parser().merge(JsonFormat.printer().print(value), b);
    return b.build();
  }

  private static AccessLogConfigException unknown(String name, String type, String where) {
    return new AccessLogConfigException(where + ": Didn't find a registered implementation for '"
        + name + "' with type URL: '" + type + "'");
  }

  private static String typeName(String typeUrl) {
    int slash = typeUrl.lastIndexOf('/');
    return slash < 0 ? typeUrl : typeUrl.substring(slash + 1);
  }
}
