package dev.xdsdp.wasm.testing;

import com.google.protobuf.Struct;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.api.stream.StreamInfo;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A plain mutable {@link StreamInfo} for tests; fields are public for direct setup. */
public final class TestStreamInfo implements StreamInfo {

  public long startTimeMillis = System.currentTimeMillis();
  public long startNanos = System.nanoTime();
  public Protocol protocol = Protocol.HTTP_1_1;
  public long connectionId = 42;
  public String listenerName = "listener_0";
  public Address downstreamRemote = Address.ofIp("10.1.2.3", 54321);
  public Address downstreamLocal = Address.ofIp("10.0.0.1", 8080);
  public String requestedServerName = "";
  public String requestId = "";
  public String routeName = "";
  public String virtualHostName = "";
  public String upstreamCluster;
  public Address upstreamHost;
  public Address upstreamLocal;
  public String upstreamFailure = "";
  public int responseCode;
  public String responseCodeDetails = "";
  public final Set<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
  public long bytesReceived;
  public long bytesSent;
  public int attemptCount;
  public long requestComplete = -1;
  public HeaderMap requestHeaders;
  public HeaderMap responseHeaders;
  public HeaderMap responseTrailers;
  public final Map<String, Struct> dynamicMetadata = new LinkedHashMap<>();
  public final Map<String, Object> filterState = new LinkedHashMap<>();

  @Override public long startTimeMillis() { return startTimeMillis; }
  @Override public long startNanos() { return startNanos; }
  @Override public Protocol protocol() { return protocol; }
  @Override public long connectionId() { return connectionId; }
  @Override public String listenerName() { return listenerName; }
  @Override public Address downstreamRemoteAddress() { return downstreamRemote; }
  @Override public Address downstreamDirectRemoteAddress() { return downstreamRemote; }
  @Override public Address downstreamLocalAddress() { return downstreamLocal; }
  @Override public String requestedServerName() { return requestedServerName; }
  @Override public String requestId() { return requestId; }
  @Override public void setRequestId(String id) { requestId = id; }
  @Override public String routeName() { return routeName; }
  @Override public void setRouteName(String name) { routeName = name; }
  @Override public String virtualHostName() { return virtualHostName; }
  @Override public void setVirtualHostName(String name) { virtualHostName = name; }
  @Override public String upstreamClusterName() { return upstreamCluster; }
  @Override public void setUpstreamClusterName(String cluster) { upstreamCluster = cluster; }
  @Override public Address upstreamHost() { return upstreamHost; }
  @Override public void setUpstreamHost(Address host) { upstreamHost = host; }
  @Override public Address upstreamLocalAddress() { return upstreamLocal; }
  @Override public void setUpstreamLocalAddress(Address a) { upstreamLocal = a; }
  @Override public String upstreamTransportFailureReason() { return upstreamFailure; }
  @Override public void setUpstreamTransportFailureReason(String r) { upstreamFailure = r; }
  @Override public int responseCode() { return responseCode; }
  @Override public void setResponseCode(int code) { responseCode = code; }
  @Override public String responseCodeDetails() { return responseCodeDetails; }
  @Override public void setResponseCodeDetails(String d) { responseCodeDetails = d; }
  @Override public Set<ResponseFlag> responseFlags() { return flags; }
  @Override public void addResponseFlag(ResponseFlag flag) { flags.add(flag); }
  @Override public long bytesReceived() { return bytesReceived; }
  @Override public void addBytesReceived(long b) { bytesReceived += b; }
  @Override public long bytesSent() { return bytesSent; }
  @Override public void addBytesSent(long b) { bytesSent += b; }
  @Override public int attemptCount() { return attemptCount; }
  @Override public void setAttemptCount(int c) { attemptCount = c; }
  @Override public long lastDownstreamRxByteReceived() { return -1; }
  @Override public void onLastDownstreamRxByteReceived() {}
  @Override public long firstUpstreamTxByteSent() { return -1; }
  @Override public void onFirstUpstreamTxByteSent() {}
  @Override public long lastUpstreamTxByteSent() { return -1; }
  @Override public void onLastUpstreamTxByteSent() {}
  @Override public long firstUpstreamRxByteReceived() { return -1; }
  @Override public void onFirstUpstreamRxByteReceived() {}
  @Override public long lastUpstreamRxByteReceived() { return -1; }
  @Override public void onLastUpstreamRxByteReceived() {}
  @Override public long firstDownstreamTxByteSent() { return -1; }
  @Override public void onFirstDownstreamTxByteSent() {}
  @Override public long lastDownstreamTxByteSent() { return -1; }
  @Override public void onLastDownstreamTxByteSent() {}
  @Override public long requestCompleteNanos() { return requestComplete; }
  @Override public void onRequestComplete() { requestComplete = System.nanoTime() - startNanos; }
  @Override public HeaderMap requestHeaders() { return requestHeaders; }
  @Override public HeaderMap responseHeaders() { return responseHeaders; }
  @Override public HeaderMap responseTrailers() { return responseTrailers; }
  @Override public Map<String, Struct> dynamicMetadata() { return dynamicMetadata; }
  @Override public void setDynamicMetadata(String ns, Struct value) { dynamicMetadata.put(ns, value); }
  @Override public Map<String, Object> filterState() { return filterState; }
}
