package dev.xdsdp.dataplane.http;

import com.google.protobuf.Struct;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.api.stream.StreamInfo;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The {@link StreamInfo} of one downstream stream; lives on the stream's event loop. */
public final class StreamInfoImpl implements StreamInfo {

  private final long startTimeMillis;
  private final long startNanos;
  private final Protocol protocol;
  private final long connectionId;
  private final String listenerName;
  private final Address downstreamDirectRemoteAddress;
  private final Address downstreamLocalAddress;
  private Address downstreamRemoteAddress;
  private final String requestedServerName;

  private String requestId = "";
  private String routeName = "";
  private String virtualHostName = "";
  private String upstreamClusterName;
  private Address upstreamHost;
  private Address upstreamLocalAddress;
  private String upstreamTransportFailureReason = "";
  private int responseCode;
  private String responseCodeDetails = "";
  private final EnumSet<ResponseFlag> responseFlags = EnumSet.noneOf(ResponseFlag.class);
  private long bytesReceived;
  private long bytesSent;
  private int attemptCount;

  private long lastDownstreamRxByteReceived = -1;
  private long firstUpstreamTxByteSent = -1;
  private long lastUpstreamTxByteSent = -1;
  private long firstUpstreamRxByteReceived = -1;
  private long lastUpstreamRxByteReceived = -1;
  private long firstDownstreamTxByteSent = -1;
  private long lastDownstreamTxByteSent = -1;
  private long requestCompleteNanos = -1;

  private HeaderMap requestHeaders;
  private HeaderMap responseHeaders;
  private HeaderMap responseTrailers;
  private Map<String, Struct> dynamicMetadata;
  private Map<String, Object> filterState;

  public StreamInfoImpl(
      Protocol protocol,
      long connectionId,
      String listenerName,
      Address downstreamDirectRemoteAddress,
      Address downstreamLocalAddress,
      String requestedServerName) {
    this.startTimeMillis = System.currentTimeMillis();
    this.startNanos = System.nanoTime();
    this.protocol = protocol;
    this.connectionId = connectionId;
    this.listenerName = listenerName;
    this.downstreamDirectRemoteAddress = downstreamDirectRemoteAddress;
    this.downstreamRemoteAddress = downstreamDirectRemoteAddress;
    this.downstreamLocalAddress = downstreamLocalAddress;
    this.requestedServerName = requestedServerName == null ? "" : requestedServerName;
  }

  private long sinceStart() {
    return System.nanoTime() - startNanos;
  }

  @Override
  public long startTimeMillis() {
    return startTimeMillis;
  }

  @Override
  public long startNanos() {
    return startNanos;
  }

  @Override
  public Protocol protocol() {
    return protocol;
  }

  @Override
  public long connectionId() {
    return connectionId;
  }

  @Override
  public String listenerName() {
    return listenerName;
  }

  @Override
  public Address downstreamRemoteAddress() {
    return downstreamRemoteAddress;
  }

  /** Set by the connection manager from {@code x-forwarded-for} when it trusts it. */
  public void setDownstreamRemoteAddress(Address address) {
    this.downstreamRemoteAddress = address;
  }

  @Override
  public Address downstreamDirectRemoteAddress() {
    return downstreamDirectRemoteAddress;
  }

  @Override
  public Address downstreamLocalAddress() {
    return downstreamLocalAddress;
  }

  @Override
  public String requestedServerName() {
    return requestedServerName;
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public void setRequestId(String requestId) {
    this.requestId = requestId == null ? "" : requestId;
  }

  @Override
  public String routeName() {
    return routeName;
  }

  @Override
  public void setRouteName(String name) {
    this.routeName = name == null ? "" : name;
  }

  @Override
  public String virtualHostName() {
    return virtualHostName;
  }

  @Override
  public void setVirtualHostName(String name) {
    this.virtualHostName = name == null ? "" : name;
  }

  @Override
  public String upstreamClusterName() {
    return upstreamClusterName;
  }

  @Override
  public void setUpstreamClusterName(String cluster) {
    this.upstreamClusterName = cluster;
  }

  @Override
  public Address upstreamHost() {
    return upstreamHost;
  }

  @Override
  public void setUpstreamHost(Address host) {
    this.upstreamHost = host;
  }

  @Override
  public Address upstreamLocalAddress() {
    return upstreamLocalAddress;
  }

  @Override
  public void setUpstreamLocalAddress(Address address) {
    this.upstreamLocalAddress = address;
  }

  @Override
  public String upstreamTransportFailureReason() {
    return upstreamTransportFailureReason;
  }

  @Override
  public void setUpstreamTransportFailureReason(String reason) {
    this.upstreamTransportFailureReason = reason == null ? "" : reason;
  }

  @Override
  public int responseCode() {
    return responseCode;
  }

  @Override
  public void setResponseCode(int code) {
    this.responseCode = code;
  }

  @Override
  public String responseCodeDetails() {
    return responseCodeDetails;
  }

  @Override
  public void setResponseCodeDetails(String details) {
    this.responseCodeDetails = details == null ? "" : details;
  }

  @Override
  public Set<ResponseFlag> responseFlags() {
    return responseFlags;
  }

  @Override
  public void addResponseFlag(ResponseFlag flag) {
    responseFlags.add(flag);
  }

  @Override
  public long bytesReceived() {
    return bytesReceived;
  }

  @Override
  public void addBytesReceived(long bytes) {
    bytesReceived += bytes;
  }

  @Override
  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public void addBytesSent(long bytes) {
    bytesSent += bytes;
  }

  @Override
  public int attemptCount() {
    return attemptCount;
  }

  @Override
  public void setAttemptCount(int count) {
    this.attemptCount = count;
  }

  @Override
  public long lastDownstreamRxByteReceived() {
    return lastDownstreamRxByteReceived;
  }

  @Override
  public void onLastDownstreamRxByteReceived() {
    lastDownstreamRxByteReceived = sinceStart();
  }

  @Override
  public long firstUpstreamTxByteSent() {
    return firstUpstreamTxByteSent;
  }

  @Override
  public void onFirstUpstreamTxByteSent() {
    if (firstUpstreamTxByteSent < 0) {
      firstUpstreamTxByteSent = sinceStart();
    }
  }

  @Override
  public long lastUpstreamTxByteSent() {
    return lastUpstreamTxByteSent;
  }

  @Override
  public void onLastUpstreamTxByteSent() {
    lastUpstreamTxByteSent = sinceStart();
  }

  @Override
  public long firstUpstreamRxByteReceived() {
    return firstUpstreamRxByteReceived;
  }

  @Override
  public void onFirstUpstreamRxByteReceived() {
    if (firstUpstreamRxByteReceived < 0) {
      firstUpstreamRxByteReceived = sinceStart();
    }
  }

  @Override
  public long lastUpstreamRxByteReceived() {
    return lastUpstreamRxByteReceived;
  }

  @Override
  public void onLastUpstreamRxByteReceived() {
    lastUpstreamRxByteReceived = sinceStart();
  }

  @Override
  public long firstDownstreamTxByteSent() {
    return firstDownstreamTxByteSent;
  }

  @Override
  public void onFirstDownstreamTxByteSent() {
    if (firstDownstreamTxByteSent < 0) {
      firstDownstreamTxByteSent = sinceStart();
    }
  }

  @Override
  public long lastDownstreamTxByteSent() {
    return lastDownstreamTxByteSent;
  }

  @Override
  public void onLastDownstreamTxByteSent() {
    lastDownstreamTxByteSent = sinceStart();
  }

  @Override
  public long requestCompleteNanos() {
    return requestCompleteNanos;
  }

  @Override
  public void onRequestComplete() {
    if (requestCompleteNanos < 0) {
      requestCompleteNanos = sinceStart();
    }
  }

  @Override
  public HeaderMap requestHeaders() {
    return requestHeaders;
  }

  public void setRequestHeaders(HeaderMap headers) {
    this.requestHeaders = headers;
  }

  @Override
  public HeaderMap responseHeaders() {
    return responseHeaders;
  }

  public void setResponseHeaders(HeaderMap headers) {
    this.responseHeaders = headers;
  }

  @Override
  public HeaderMap responseTrailers() {
    return responseTrailers;
  }

  public void setResponseTrailers(HeaderMap trailers) {
    this.responseTrailers = trailers;
  }

  @Override
  public Map<String, Struct> dynamicMetadata() {
    return dynamicMetadata == null ? Map.of() : dynamicMetadata;
  }

  @Override
  public void setDynamicMetadata(String namespace, Struct value) {
    if (dynamicMetadata == null) {
      dynamicMetadata = new LinkedHashMap<>();
    }
    Struct existing = dynamicMetadata.get(namespace);
    // Envoy merges the new fields into the namespace rather than replacing it.
    dynamicMetadata.put(namespace, existing == null ? value : existing.toBuilder().putAllFields(value.getFieldsMap()).build());
  }

  @Override
  public Map<String, Object> filterState() {
    if (filterState == null) {
      filterState = new HashMap<>();
    }
    return filterState;
  }
}
