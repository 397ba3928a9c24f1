package dev.xdsdp.api.stream;

import com.google.protobuf.Struct;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.Protocol;
import java.util.Map;
import java.util.Set;

/**
 * The facts of one HTTP stream, Envoy's {@code StreamInfo}: filled in by the connection manager,
 * the router and filters as the stream progresses, read by access logs, stats and proxy-wasm
 * properties. Mutable, owned by the stream's event loop.
 *
 * <p>Durations are nanoseconds since {@link #startNanos()}, and -1 while the event has not happened.
 */
public interface StreamInfo {

  /** Wall-clock start of the stream, epoch milliseconds. */
  long startTimeMillis();

  /** {@link System#nanoTime()} at the start of the stream. */
  long startNanos();

  Protocol protocol();

  /** A process-unique id of the downstream connection. */
  long connectionId();

  /** The listener that accepted the connection. */
  String listenerName();

  /** The peer address as seen after {@code x-forwarded-for} handling (Envoy's remote address). */
  Address downstreamRemoteAddress();

  /** The peer address of the socket itself. */
  Address downstreamDirectRemoteAddress();

  Address downstreamLocalAddress();

  /** TLS SNI, or empty. */
  String requestedServerName();

  /** The {@code x-request-id} of the stream, or empty. */
  String requestId();

  void setRequestId(String requestId);

  /** Route name, or empty when no route was selected. */
  String routeName();

  void setRouteName(String name);

  String virtualHostName();

  void setVirtualHostName(String name);

  /** The cluster chosen for the upstream request, or null. */
  String upstreamClusterName();

  void setUpstreamClusterName(String cluster);

  /** The upstream host, or null before one is chosen. */
  Address upstreamHost();

  void setUpstreamHost(Address host);

  Address upstreamLocalAddress();

  void setUpstreamLocalAddress(Address address);

  /** Why the upstream connection failed, or empty. */
  String upstreamTransportFailureReason();

  void setUpstreamTransportFailureReason(String reason);

  /** The HTTP status sent downstream, or 0 before it is known. */
  int responseCode();

  void setResponseCode(int code);

  /** Envoy's response code details, e.g. {@code via_upstream} or {@code route_not_found}, or empty. */
  String responseCodeDetails();

  void setResponseCodeDetails(String details);

  Set<ResponseFlag> responseFlags();

  void addResponseFlag(ResponseFlag flag);

  default boolean hasResponseFlag(ResponseFlag flag) {
    return responseFlags().contains(flag);
  }

  /** The flags as proxy-wasm's {@code response.flags} mask. */
  default long responseFlagsMask() {
    long mask = 0;
    for (ResponseFlag f : responseFlags()) {
      mask |= f.bit();
    }
    return mask;
  }

  /** Request body bytes received from downstream. */
  long bytesReceived();

  void addBytesReceived(long bytes);

  /** Response body bytes sent downstream. */
  long bytesSent();

  void addBytesSent(long bytes);

  /** Number of upstream attempts (1 + retries), 0 when there was no upstream request. */
  int attemptCount();

  void setAttemptCount(int count);

  // Timings, nanoseconds since startNanos(), -1 when not yet.

  long lastDownstreamRxByteReceived();

  void onLastDownstreamRxByteReceived();

  long firstUpstreamTxByteSent();

  void onFirstUpstreamTxByteSent();

  long lastUpstreamTxByteSent();

  void onLastUpstreamTxByteSent();

  long firstUpstreamRxByteReceived();

  void onFirstUpstreamRxByteReceived();

  long lastUpstreamRxByteReceived();

  void onLastUpstreamRxByteReceived();

  long firstDownstreamTxByteSent();

  void onFirstDownstreamTxByteSent();

  long lastDownstreamTxByteSent();

  void onLastDownstreamTxByteSent();

  /** Total duration, set when the stream completes; -1 while running. */
  long requestCompleteNanos();

  void onRequestComplete();

  /** Request headers as received (after the connection manager's own edits), or null. */
  HeaderMap requestHeaders();

  /** Response headers as sent, or null. */
  HeaderMap responseHeaders();

  HeaderMap responseTrailers();

  /** Dynamic metadata per filter namespace ({@code metadata} property, {@code %DYNAMIC_METADATA%}). */
  Map<String, Struct> dynamicMetadata();

  void setDynamicMetadata(String namespace, Struct value);

  /** Per-stream objects keyed by name ({@code filter_state} property, {@code %FILTER_STATE%}). */
  Map<String, Object> filterState();
}
