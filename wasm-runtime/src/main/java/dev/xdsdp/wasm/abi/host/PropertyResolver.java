package dev.xdsdp.wasm.abi.host;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.wasm.abi.MapType;
import dev.xdsdp.wasm.abi.memory.PairsCodec;
import dev.xdsdp.wasm.context.ContextBase;
import dev.xdsdp.wasm.context.PluginServices;
import dev.xdsdp.wasm.context.HeaderHost;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Envoy's attribute catalogue for {@code proxy_get_property} ({@code Context::findValue} over the
 * CEL activation), with Envoy's value encodings: strings raw, integers and timestamps/durations
 * (ns) as 8 bytes little-endian, booleans as one byte, messages as protobuf bytes, maps as pairs.
 * Paths walk into messages, maps and lists ({@code xds\0node\0metadata\0KEY}).
 */
final class PropertyResolver {

  private PropertyResolver() {}

  static final String FILTER_STATE_PREFIX = "wasm.";

  /** The encoded value of {@code path} for {@code ctx}, or null when it does not exist. */
  static byte[] resolve(ContextBase ctx, PluginServices plugin, List<String> path) {
    if (path.isEmpty()) {
      return null;
    }
    byte[] fromHost = ctx.propertyHost().property(path);
    if (fromHost != null) {
      return fromHost;
    }
    StreamInfo info = ctx.propertyHost().streamInfo();
    HeaderHost stream = ctx.headerHost();
    String top = path.getFirst();
    List<String> rest = path.subList(1, path.size());
    Object value =
        switch (top) {
          case "request" -> rest.isEmpty() ? null : request(stream, info, rest);
          case "response" -> rest.isEmpty() ? null : response(stream, info, rest);
          case "source" -> address(info == null ? null : info.downstreamRemoteAddress(), rest);
          case "destination" -> address(info == null ? null : info.downstreamLocalAddress(), rest);
          case "connection" -> rest.isEmpty() ? null : connection(info, rest.getFirst());
          case "upstream" -> rest.isEmpty() ? null : upstream(info, rest.getFirst());
          case "xds" -> rest.isEmpty() ? null : xds(info, plugin, rest);
          case "metadata" -> info == null ? null : walk(metadata(info), rest);
          case "filter_state" -> info == null ? null : walk(info.filterState(), rest);
          case "plugin_name" -> plugin.config().name();
          case "plugin_root_id" -> plugin.config().rootId();
          case "plugin_vm_id" -> plugin.config().vmId();
          case "connection_id" -> info == null ? null : info.connectionId();
          // Legacy top-level names that Go SDK helpers and Istio-era plugins still query.
          case "node" -> walk(node(plugin), rest);
          case "cluster_name" -> info == null ? null : info.upstreamClusterName();
          case "route_name" -> info == null || info.routeName().isEmpty() ? null : info.routeName();
          default -> null;
        };
    if (value == null && info != null && !isBuiltin(top)) {
      Object state = info.filterState().get(FILTER_STATE_PREFIX + String.join(".", path));
      if (state != null) {
        value = state;
      } else {
        Object first = info.filterState().get(FILTER_STATE_PREFIX + top);
        value = first == null ? null : walk(first, rest);
      }
    }
    return value == null ? null : encode(value);
  }

  private static boolean isBuiltin(String top) {
    return switch (top) {
      case "request", "response", "source", "destination", "connection", "upstream", "xds", "metadata",
          "filter_state", "plugin_name", "plugin_root_id", "plugin_vm_id", "connection_id", "node" -> true;
      default -> false;
    };
  }

  private static HeaderMap headers(HeaderHost stream, MapType type) {
    return stream == null ? null : stream.headerMap(type, false);
  }

  private static Object request(HeaderHost stream, StreamInfo info, List<String> rest) {
    HeaderMap h = headers(stream, MapType.HTTP_REQUEST_HEADERS);
    if (h == null && info != null) {
      h = info.requestHeaders();
    }
    String field = rest.getFirst();
    switch (field) {
      case "protocol" -> {
        return info == null || info.protocol() == null ? null : info.protocol().text();
      }
      case "time" -> {
        return info == null ? null : info.startTimeMillis() * 1_000_000L;
      }
      case "duration" -> {
        return info == null || info.requestCompleteNanos() < 0 ? null : info.requestCompleteNanos();
      }
      case "size" -> {
        if (h != null && h.get("content-length") != null) {
          try {
            return Long.parseLong(h.get("content-length").trim());
          } catch (NumberFormatException e) {
            // fall through to the bytes actually received
          }
        }
        return info == null ? null : info.bytesReceived();
      }
      case "total_size" -> {
        return info == null ? null : info.bytesReceived() + (h == null ? 0 : h.byteSize());
      }
      case "headers_bytes" -> {
        return h == null ? null : h.byteSize();
      }
      case "id" -> {
        String id = h == null ? null : h.get("x-request-id");
        return id != null ? id : info == null || info.requestId().isEmpty() ? null : info.requestId();
      }
      default -> {}
    }
    if (h == null) {
      return null;
    }
    return switch (field) {
      case "path" -> h.path();
      case "url_path" -> {
        String p = h.path();
        if (p == null) {
          yield null;
        }
        int q = p.indexOf('?');
        yield q < 0 ? p : p.substring(0, q);
      }
      case "query" -> {
        String p = h.path();
        if (p == null) {
          yield null;
        }
        int q = p.indexOf('?');
        yield q < 0 ? "" : p.substring(q + 1);
      }
      case "host" -> h.authority();
      case "scheme" -> h.scheme();
      case "method" -> h.method();
      case "referer" -> h.get("referer");
      case "useragent" -> h.get("user-agent");
      case "headers" -> headerValue(h, rest.subList(1, rest.size()));
      default -> null;
    };
  }

  /** The whole map (repeated values comma-joined), or one header's value. */
  private static Object headerValue(HeaderMap h, List<String> rest) {
    if (rest.isEmpty()) {
      Map<String, String> joined = new LinkedHashMap<>();
      h.forEach((k, v) -> joined.merge(k, v, (a, b) -> a + "," + b));
      return joined;
    }
    List<String> values = h.getAll(rest.getFirst());
    return values.isEmpty() ? null : String.join(",", values);
  }

  private static Object response(HeaderHost stream, StreamInfo info, List<String> rest) {
    HeaderMap h = headers(stream, MapType.HTTP_RESPONSE_HEADERS);
    if (h == null && info != null) {
      h = info.responseHeaders();
    }
    HeaderMap t = headers(stream, MapType.HTTP_RESPONSE_TRAILERS);
    if (t == null && info != null) {
      t = info.responseTrailers();
    }
    String field = rest.getFirst();
    return switch (field) {
      case "code" -> {
        int code = info != null && info.responseCode() > 0 ? info.responseCode() : h == null ? 0 : h.status();
        yield code > 0 ? (Object) (long) code : null;
      }
      case "code_details" -> info == null || info.responseCodeDetails().isEmpty() ? null : info.responseCodeDetails();
      case "flags" -> info == null ? null : info.responseFlagsMask();
      case "grpc_status" -> {
        String s = t != null && t.get("grpc-status") != null ? t.get("grpc-status") : h == null ? null : h.get("grpc-status");
        try {
          yield s == null ? null : (Object) Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
          yield null;
        }
      }
      case "size" -> info == null ? null : info.bytesSent();
      case "total_size" -> info == null ? null : info.bytesSent() + (h == null ? 0 : h.byteSize()) + (t == null ? 0 : t.byteSize());
      case "headers_bytes" -> h == null ? null : h.byteSize();
      case "headers" -> h == null ? null : headerValue(h, rest.subList(1, rest.size()));
      case "trailers" -> t == null ? null : headerValue(t, rest.subList(1, rest.size()));
      default -> null;
    };
  }

  private static Object address(Address a, List<String> rest) {
    if (a == null || rest.isEmpty()) {
      return null;
    }
    return switch (rest.getFirst()) {
      case "address" -> a.toString();
      case "port" -> a.isPipe() ? null : (Object) (long) a.port();
      default -> null;
    };
  }

  private static Object connection(StreamInfo info, String field) {
    if (info == null) {
      return null;
    }
    return switch (field) {
      case "id" -> info.connectionId();
      case "mtls" -> false;
      case "requested_server_name" -> info.requestedServerName();
      case "termination_details" -> null;
      default -> null;
    };
  }

  private static Object upstream(StreamInfo info, String field) {
    if (info == null) {
      return null;
    }
    Address host = info.upstreamHost();
    return switch (field) {
      case "address" -> host == null ? null : host.toString();
      case "port" -> host == null || host.isPipe() ? null : (Object) (long) host.port();
      case "local_address" -> info.upstreamLocalAddress() == null ? null : info.upstreamLocalAddress().toString();
      case "transport_failure_reason" ->
          info.upstreamTransportFailureReason().isEmpty() ? null : info.upstreamTransportFailureReason();
      case "request_attempt_count" -> (long) info.attemptCount();
      default -> null;
    };
  }

  private static Object xds(StreamInfo info, PluginServices plugin, List<String> rest) {
    String field = rest.getFirst();
    List<String> more = rest.subList(1, rest.size());
    return switch (field) {
      case "node" -> walk(node(plugin), more);
      case "cluster_name" -> info == null || info.upstreamClusterName() == null ? null : info.upstreamClusterName();
      case "route_name" -> info == null || info.routeName().isEmpty() ? null : info.routeName();
      case "virtual_host_name" -> info == null || info.virtualHostName().isEmpty() ? null : info.virtualHostName();
      default -> null;
    };
  }

  private static Node node(PluginServices plugin) {
    return plugin.node() == null ? Node.getDefaultInstance() : plugin.node();
  }

  private static Metadata metadata(StreamInfo info) {
    return Metadata.newBuilder().putAllFilterMetadata(info.dynamicMetadata()).build();
  }

  /** Walks {@code path} into messages (by field name), maps (by key) and lists (by index). */
  static Object walk(Object value, List<String> path) {
    Object v = value;
    for (String seg : path) {
      v = unwrap(v);
      if (v == null) {
        return null;
      }
      if (v instanceof Struct s) {
        v = s.getFieldsMap().get(seg);
      } else if (v instanceof ListValue l) {
        v = index(l.getValuesList(), seg);
      } else if (v instanceof Message m) {
        Descriptors.FieldDescriptor f = m.getDescriptorForType().findFieldByName(seg);
        if (f == null) {
          return null;
        }
        if (f.isMapField()) {
          v = protoMap(m, f);
        } else if (f.isRepeated()) {
          v = m.getField(f);
        } else if (f.getJavaType() == Descriptors.FieldDescriptor.JavaType.MESSAGE && !m.hasField(f)) {
          return null;
        } else {
          v = m.getField(f);
        }
      } else if (v instanceof Map<?, ?> map) {
        v = map.get(seg);
      } else if (v instanceof List<?> list) {
        v = index(list, seg);
      } else {
        return null;
      }
    }
    return unwrap(v);
  }

  private static Object index(List<?> list, String seg) {
    try {
      int i = Integer.parseInt(seg);
      return i >= 0 && i < list.size() ? list.get(i) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Map<String, Object> protoMap(Message m, Descriptors.FieldDescriptor f) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Object entry : (List<?>) m.getField(f)) {
      Message e = (Message) entry;
      Descriptors.Descriptor d = e.getDescriptorForType();
      out.put(String.valueOf(e.getField(d.findFieldByName("key"))), e.getField(d.findFieldByName("value")));
    }
    return out;
  }

  /** {@code google.protobuf.Value} becomes its content, as CEL sees it. */
  private static Object unwrap(Object v) {
    if (v instanceof Value val) {
      return switch (val.getKindCase()) {
        case STRING_VALUE -> val.getStringValue();
        case NUMBER_VALUE -> val.getNumberValue();
        case BOOL_VALUE -> val.getBoolValue();
        case STRUCT_VALUE -> val.getStructValue();
        case LIST_VALUE -> val.getListValue();
        case NULL_VALUE, KIND_NOT_SET -> null;
      };
    }
    return v;
  }

  static byte[] encode(Object v) {
    return switch (v) {
      case byte[] b -> b;
      case String s -> s.getBytes(StandardCharsets.UTF_8);
      case ByteString b -> b.toByteArray();
      case Long l -> le64(l);
      case Integer i -> le64(i);
      case Double d -> le64(Double.doubleToRawLongBits(d));
      case Float f -> le64(Double.doubleToRawLongBits(f));
      case Boolean b -> new byte[] {(byte) (b ? 1 : 0)};
      case Descriptors.EnumValueDescriptor e -> le64(e.getNumber());
      case Message m -> m.toByteArray();
      case Map<?, ?> map -> {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        map.forEach((k, val) -> pairs.add(Map.entry(String.valueOf(k), text(unwrap(val)))));
        yield PairsCodec.encode(pairs);
      }
      case List<?> list -> {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (Object o : list) {
          pairs.add(Map.entry(text(unwrap(o)), ""));
        }
        yield PairsCodec.encode(pairs);
      }
      default -> v.toString().getBytes(StandardCharsets.UTF_8);
    };
  }

  private static String text(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    if (v instanceof Message m) {
      return m.toByteString().toStringUtf8();
    }
    return v.toString();
  }

  static byte[] le64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }
}
