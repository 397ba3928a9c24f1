package dev.xdsdp.dataplane.accesslog;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.formatter.FormatterContext;
import dev.xdsdp.dataplane.formatter.GrpcStatus;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.config.accesslog.v3.GrpcStatusFilter;
import io.envoyproxy.envoy.config.accesslog.v3.MetadataFilter;
import io.envoyproxy.envoy.config.accesslog.v3.RuntimeFilter;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Builds {@link LogFilter}s from {@code AccessLogFilter} protos, evaluating them as Envoy's
 * {@code access_log_impl.cc} does. There is no runtime: runtime keys resolve to their defaults.
 */
public final class LogFilters {

  private static final Map<String, ResponseFlag> FLAGS_BY_NAME = new HashMap<>();

  static {
    for (ResponseFlag f : ResponseFlag.values()) {
      FLAGS_BY_NAME.put(f.shortName(), f);
    }
  }

  private LogFilters() {}

  /**
   * The filter {@code config} describes.
   *
   * @param field where the filter sits in the config, for error messages (e.g.
   *     {@code access_log[0].filter})
   */
  public static LogFilter fromProto(AccessLogFilter config, String field)
      throws AccessLogConfigException {
    return switch (config.getFilterSpecifierCase()) {
      case STATUS_CODE_FILTER -> {
        String f = field + ".status_code_filter";
        if (!config.getStatusCodeFilter().hasComparison()) {
          throw new AccessLogConfigException(f + ".comparison: value is required");
        }
        yield comparison(config.getStatusCodeFilter().getComparison(), f + ".comparison",
            ctx -> ctx.streamInfo().responseCode());
      }
      case DURATION_FILTER -> {
        String f = field + ".duration_filter";
        if (!config.getDurationFilter().hasComparison()) {
          throw new AccessLogConfigException(f + ".comparison: value is required");
        }
        yield comparison(config.getDurationFilter().getComparison(), f + ".comparison",
            ctx -> currentDurationMillis(ctx.streamInfo()));
      }
      // Nothing marks a stream as a health check yet (no health_check filter), so every
      // stream passes, as in Envoy without that filter.
      case NOT_HEALTH_CHECK_FILTER -> ctx -> true;
      // Envoy logs only requests force-traced by the tracer; without tracing none are.
      case TRACEABLE_FILTER -> ctx -> false;
      case RUNTIME_FILTER -> runtime(config.getRuntimeFilter(), field + ".runtime_filter");
      case AND_FILTER -> {
        List<LogFilter> all = children(config.getAndFilter().getFiltersList(), field + ".and_filter");
        yield ctx -> {
          for (LogFilter f : all) {
            if (!f.evaluate(ctx)) {
              return false;
            }
          }
          return true;
        };
      }
      case OR_FILTER -> {
        List<LogFilter> any = children(config.getOrFilter().getFiltersList(), field + ".or_filter");
        yield ctx -> {
          for (LogFilter f : any) {
            if (f.evaluate(ctx)) {
              return true;
            }
          }
          return false;
        };
      }
      case HEADER_FILTER -> {
        String f = field + ".header_filter";
        if (!config.getHeaderFilter().hasHeader()) {
          throw new AccessLogConfigException(f + ".header: value is required");
        }
        HeaderMatch m = HeaderMatch.of(config.getHeaderFilter().getHeader(), f + ".header");
        yield ctx -> m.matches(ctx.requestHeaders());
      }
      case RESPONSE_FLAG_FILTER -> responseFlags(
          config.getResponseFlagFilter().getFlagsList(), field + ".response_flag_filter");
      case GRPC_STATUS_FILTER -> grpcStatus(config.getGrpcStatusFilter(), field + ".grpc_status_filter");
      case METADATA_FILTER -> metadata(config.getMetadataFilter(), field + ".metadata_filter");
      case LOG_TYPE_FILTER -> {
        Set<AccessLogType> types = EnumSet.noneOf(AccessLogType.class);
        for (AccessLogType t : config.getLogTypeFilter().getTypesList()) {
          if (t == AccessLogType.UNRECOGNIZED) {
            throw new AccessLogConfigException(
                field + ".log_type_filter.types: value must be one of the defined enum values");
          }
          types.add(t);
        }
        boolean exclude = config.getLogTypeFilter().getExclude();
        yield ctx -> types.contains(ctx.accessLogType()) != exclude;
      }
      case EXTENSION_FILTER -> throw new AccessLogConfigException(
          field + ".extension_filter: Didn't find a registered implementation for name: '"
              + config.getExtensionFilter().getName() + "'");
      case FILTERSPECIFIER_NOT_SET -> throw new AccessLogConfigException(
          field + ": value is required (one of the filter types must be set)");
    };
  }

  private static List<LogFilter> children(List<AccessLogFilter> configs, String field)
      throws AccessLogConfigException {
    if (configs.size() < 2) {
      throw new AccessLogConfigException(
          field + ".filters: value must contain at least 2 item(s)");
    }
    List<LogFilter> out = new ArrayList<>(configs.size());
    for (int i = 0; i < configs.size(); i++) {
      out.add(fromProto(configs.get(i), field + ".filters[" + i + "]"));
    }
    return List.copyOf(out);
  }

  private static LogFilter comparison(ComparisonFilter c, String field,
      ToLongFunction<FormatterContext> lhs) throws AccessLogConfigException {
    if (!c.hasValue()) {
      throw new AccessLogConfigException(field + ".value: value is required");
    }
    StringMatch.nonEmpty(c.getValue().getRuntimeKey(), field + ".value.runtime_key");
    long value = Integer.toUnsignedLong(c.getValue().getDefaultValue());
    return switch (c.getOp()) {
      case GE -> ctx -> lhs.applyAsLong(ctx) >= value;
      case EQ -> ctx -> lhs.applyAsLong(ctx) == value;
      case LE -> ctx -> lhs.applyAsLong(ctx) <= value;
      case UNRECOGNIZED -> throw new AccessLogConfigException(
          field + ".op: value must be one of the defined enum values");
    };
  }

  private static long currentDurationMillis(StreamInfo info) {
    long complete = info.requestCompleteNanos();
    long nanos = complete >= 0 ? complete : System.nanoTime() - info.startNanos();
    return nanos / 1_000_000L;
  }

  private static LogFilter runtime(RuntimeFilter r, String field) throws AccessLogConfigException {
    StringMatch.nonEmpty(r.getRuntimeKey(), field + ".runtime_key");
    FractionalPercent percent = r.getPercentSampled();
    long denominator = switch (percent.getDenominator()) {
      case HUNDRED -> 100;
      case TEN_THOUSAND -> 10_000;
      case MILLION -> 1_000_000;
      case UNRECOGNIZED -> throw new AccessLogConfigException(
          field + ".percent_sampled.denominator: value must be one of the defined enum values");
    };
    long numerator = Math.min(Integer.toUnsignedLong(percent.getNumerator()), denominator);
    boolean independent = r.getUseIndependentRandomness();
    return ctx -> {
      long random = -1;
      if (!independent) {
        random = requestIdInteger(ctx.streamInfo().requestId());
      }
      if (random < 0) {
        random = ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
      }
      return random % denominator < numerator;
    };
  }

  /**
   * Envoy's UUID request id extension {@code toInteger}: the first 8 hex digits of the
   * {@code x-request-id}, so a request is sampled the same way everywhere; -1 when not hex.
   */
  static long requestIdInteger(String requestId) {
    if (requestId == null || requestId.length() < 8) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < 8; i++) {
      int d = Character.digit(requestId.charAt(i), 16);
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  private static LogFilter responseFlags(List<String> names, String field)
      throws AccessLogConfigException {
    if (names.isEmpty()) {
      return ctx -> !ctx.streamInfo().responseFlags().isEmpty();
    }
    Set<ResponseFlag> wanted = EnumSet.noneOf(ResponseFlag.class);
    for (int i = 0; i < names.size(); i++) {
      ResponseFlag f = FLAGS_BY_NAME.get(names.get(i));
      if (f == null) {
        throw new AccessLogConfigException(field + ".flags[" + i + "]: value must be in list "
            + FLAGS_BY_NAME.keySet().stream().sorted().toList() + ", got '" + names.get(i) + "'");
      }
      wanted.add(f);
    }
    return ctx -> {
      for (ResponseFlag f : ctx.streamInfo().responseFlags()) {
        if (wanted.contains(f)) {
          return true;
        }
      }
      return false;
    };
  }

  private static LogFilter grpcStatus(GrpcStatusFilter g, String field)
      throws AccessLogConfigException {
    Set<Integer> statuses = new HashSet<>();
    for (GrpcStatusFilter.Status s : g.getStatusesList()) {
      if (s == GrpcStatusFilter.Status.UNRECOGNIZED) {
        throw new AccessLogConfigException(
            field + ".statuses: value must be one of the defined enum values");
      }
      statuses.add(s.getNumber());
    }
    boolean exclude = g.getExclude();
    return ctx -> {
      Integer status = GrpcStatus.of(ctx, false);
      // No status at all (no response yet) counts as UNKNOWN.
      boolean found = statuses.contains(status == null ? 2 : status);
      return found != exclude;
    };
  }

  private static LogFilter metadata(MetadataFilter m, String field)
      throws AccessLogConfigException {
    boolean matchIfKeyNotFound = !m.hasMatchIfKeyNotFound() || m.getMatchIfKeyNotFound().getValue();
    MetadataMatcher matcher = m.getMatcher();
    String namespace = matcher.getFilter();
    List<String> path = new ArrayList<>();
    for (MetadataMatcher.PathSegment seg : matcher.getPathList()) {
      path.add(seg.getKey());
    }
    Predicate<Value> valueMatch = m.hasMatcher() && matcher.hasValue()
        ? ValueMatch.of(matcher.getValue(), field + ".matcher.value")
        : null;
    return ctx -> {
      Value v = metadataValue(ctx.streamInfo().dynamicMetadata(), namespace, path);
      if (v.getKindCase() != Value.KindCase.KIND_NOT_SET) {
        return valueMatch != null && valueMatch.test(v);
      }
      return matchIfKeyNotFound;
    };
  }

  /** Envoy's {@code Config::Metadata::metadataValue}; an unset value when absent. */
  private static Value metadataValue(Map<String, Struct> metadata, String namespace, List<String> path) {
    Struct current = metadata.get(namespace);
    if (current == null) {
      return Value.getDefaultInstance();
    }
    Value value = null;
    for (String key : path) {
      if (current == null) {
        return Value.getDefaultInstance();
      }
      value = current.getFieldsMap().get(key);
      if (value == null) {
        return Value.getDefaultInstance();
      }
      current = value.hasStructValue() ? value.getStructValue() : null;
    }
    return value == null ? Value.getDefaultInstance() : value;
  }
}
