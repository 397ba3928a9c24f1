package dev.xdsdp.dataplane.formatter;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.http.StreamInfoImpl;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** Filled stream infos and headers for formatter and access log tests. */
public final class TestStreams {

  /** 2026-11-21T10:00:00.123Z */
  public static final long START_MILLIS = 1795255200123L;

  private TestStreams() {}

  /** A finished HTTP/1.1 request through an upstream, with every field the operators read. */
  public static StreamInfoImpl filled() {
    StreamInfoImpl info = new StreamInfoImpl(Protocol.HTTP_1_1, 42, "listener_0",
        Address.ofIp("10.0.0.5", 51234), Address.ofIp("10.0.0.1", 10000), "api.example.com");
    info.setDownstreamRemoteAddress(Address.ofIp("203.0.113.7", 0));
    info.setRequestId("6f1c2a3b-0000-4000-8000-000000000001");
    info.setRouteName("route_a");
    info.setVirtualHostName("vh");
    info.setUpstreamClusterName("backend");
    info.setUpstreamHost(Address.ofIp("10.1.2.3", 8080));
    info.setUpstreamLocalAddress(Address.ofIp("10.0.0.1", 40000));
    info.setResponseCode(200);
    info.setResponseCodeDetails("via_upstream");
    info.addBytesReceived(154);
    info.addBytesSent(226);
    info.setAttemptCount(2);
    info.addResponseFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    info.addResponseFlag(ResponseFlag.NO_HEALTHY_UPSTREAM);
    info.setDynamicMetadata("com.test.my_filter", Struct.newBuilder()
        .putFields("test_key", Value.newBuilder().setStringValue("foo").build())
        .putFields("count", Value.newBuilder().setNumberValue(3).build())
        .putFields("test_object", Value.newBuilder().setStructValue(Struct.newBuilder()
            .putFields("inner_key", Value.newBuilder().setStringValue("bar").build())).build())
        .build());
    info.setRequestHeaders(requestHeaders());
    info.setResponseHeaders(responseHeaders());
    info.setResponseTrailers(trailers());
    return info;
  }

  public static HeaderMap requestHeaders() {
    HeaderMap h = HeaderMap.create();
    h.add(":method", "POST");
    h.add(":path", "/api/v1/locations?x=1");
    h.add(":authority", "locations");
    h.add(":scheme", "http");
    h.add("user-agent", "nsq2http");
    h.add("x-request-id", "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2");
    h.add("x-forwarded-for", "10.0.35.28");
    h.add("x-multi", "a");
    h.add("x-multi", "b");
    return h;
  }

  public static HeaderMap responseHeaders() {
    HeaderMap h = HeaderMap.create();
    h.add(":status", "200");
    h.add("x-envoy-upstream-service-time", "100");
    h.add("content-type", "application/json");
    return h;
  }

  public static HeaderMap trailers() {
    HeaderMap h = HeaderMap.create();
    h.add("grpc-status", "0");
    h.add("x-trailer", "t-value");
    return h;
  }

  public static FormatterContext context(StreamInfo info) {
    return FormatterContext.of(info);
  }

  /**
   * {@code base} with the given getters pinned (e.g. {@code startTimeMillis},
   * {@code lastDownstreamRxByteReceived}), since a real stream's clock cannot be set.
   */
  public static StreamInfo pinned(StreamInfo base, Map<String, Object> values) {
    Map<String, Object> copy = new HashMap<>(values);
    return (StreamInfo) Proxy.newProxyInstance(
        StreamInfo.class.getClassLoader(), new Class<?>[] {StreamInfo.class},
        (proxy, method, args) -> {
          if ((args == null || args.length == 0) && copy.containsKey(method.getName())) {
            return copy.get(method.getName());
          }
          try {
            return method.invoke(base, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** {@link #filled()} with a fixed start and every timing set (nanoseconds since start). */
  public static StreamInfo timed() {
    return pinned(filled(), Map.of(
        "startTimeMillis", START_MILLIS,
        "lastDownstreamRxByteReceived", 1_500_000L,
        "firstUpstreamTxByteSent", 2_000_000L,
        "lastUpstreamTxByteSent", 3_999_999L,
        "firstUpstreamRxByteReceived", 20_000_000L,
        "lastUpstreamRxByteReceived", 30_000_000L,
        "firstDownstreamTxByteSent", 21_000_000L,
        "lastDownstreamTxByteSent", 31_700_000L,
        "requestCompleteNanos", 32_900_000L));
  }
}
