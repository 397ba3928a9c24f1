package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.http.DecoderFilterCallbacks;
import dev.xdsdp.api.http.EncoderFilterCallbacks;
import dev.xdsdp.api.http.FilterDataStatus;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.FilterTrailersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.api.http.RouteView;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.wasm.abi.BufferType;
import dev.xdsdp.wasm.abi.MapType;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.context.HttpStreamHost;
import dev.xdsdp.wasm.plugin.WasmHttpStream;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One stream's Wasm filter, Envoy's {@code Wasm::Context} as an HTTP filter: it hands each filter
 * callback to the module's stream context ({@link WasmHttpStream}) and serves the module's view of
 * the stream ({@link HttpStreamHost}): header maps and bodies from the filter manager, stream
 * actions (continue, close, local reply) back to it, and properties from the stream info.
 *
 * <p>Bodies follow Envoy: while the module buffers ({@code StopIterationAndBuffer}), each new chunk
 * is added to what the filter manager holds before the module is called, so the module sees the
 * whole body so far and its size; when it returns {@code Continue} the whole body goes on.
 *
 * <p>Runs on the stream's event loop only.
 */
final class WasmHttpFilter implements HttpFilter, HttpStreamHost {

  static final String FAIL_STREAM_DETAILS = "wasm_fail_stream";
  static final String CLOSE_STREAM_DETAILS = "wasm_close_stream";

  /** The filter callback running now, if any (callbacks can nest through local replies). */
  private enum Phase { NONE, DECODE_HEADERS, DECODE_DATA, DECODE_TRAILERS, ENCODE_HEADERS, ENCODE_DATA, ENCODE_TRAILERS }

  private final WasmHost host;
  private WasmHttpStream stream;
  private DecoderFilterCallbacks decoder;
  private EncoderFilterCallbacks encoder;
  private Phase phase = Phase.NONE;

  private BodyBuffer requestData;
  private boolean requestEnd;
  private boolean bufferingRequest;
  private boolean continueRequestInCallback;

  private BodyBuffer responseData;
  private boolean responseEnd;
  private boolean bufferingResponse;
  private boolean continueResponseInCallback;

  private boolean failReplySent;

  WasmHttpFilter(WasmHost host) {
    this.host = host;
  }

  void attach(WasmHttpStream s) {
    this.stream = s;
  }

  @Override
  public void setDecoderFilterCallbacks(DecoderFilterCallbacks callbacks) {
    this.decoder = callbacks;
  }

  @Override
  public void setEncoderFilterCallbacks(EncoderFilterCallbacks callbacks) {
    this.encoder = callbacks;
  }

  // HttpFilter: decoding

  @Override
  public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
    Phase saved = enter(Phase.DECODE_HEADERS);
    continueRequestInCallback = false;
    requestEnd = endStream;
    FilterHeadersStatus s;
    try {
      s = stream.onRequestHeaders(endStream);
    } finally {
      phase = saved;
    }
    if (s != FilterHeadersStatus.CONTINUE && continueRequestInCallback && !failReplySent) {
      // The module resumed the request from inside the callback that paused it.
      return FilterHeadersStatus.CONTINUE;
    }
    return s;
  }

  @Override
  public FilterDataStatus decodeData(BodyBuffer data, boolean endStream) {
    if (bufferingRequest) {
      takeHeldBody(decoder.decodingBuffer(), data);
    }
    Phase saved = enter(Phase.DECODE_DATA);
    continueRequestInCallback = false;
    requestData = data;
    requestEnd = endStream;
    FilterDataStatus s;
    try {
      s = stream.onRequestBody(data.length(), endStream);
    } finally {
      phase = saved;
    }
    if (s != FilterDataStatus.CONTINUE && continueRequestInCallback && !failReplySent) {
      s = FilterDataStatus.CONTINUE;
    }
    bufferingRequest = s == FilterDataStatus.STOP_ITERATION_AND_BUFFER;
    if (s == FilterDataStatus.CONTINUE) {
      requestData = null;
    }
    return s;
  }

  @Override
  public FilterTrailersStatus decodeTrailers(HeaderMap trailers) {
    Phase saved = enter(Phase.DECODE_TRAILERS);
    continueRequestInCallback = false;
    FilterTrailersStatus s;
    try {
      s = stream.onRequestTrailers();
    } finally {
      phase = saved;
    }
    if (s != FilterTrailersStatus.CONTINUE && continueRequestInCallback && !failReplySent) {
      return FilterTrailersStatus.CONTINUE;
    }
    return s;
  }

  // HttpFilter: encoding

  @Override
  public FilterHeadersStatus encodeHeaders(HeaderMap headers, boolean endStream) {
    if (failReplySent) {
      // Our own fail-closed reply passes through: the VM is not called again (Envoy's
      // failure_local_reply_sent_).
      return FilterHeadersStatus.CONTINUE;
    }
    Phase saved = enter(Phase.ENCODE_HEADERS);
    continueResponseInCallback = false;
    responseEnd = endStream;
    FilterHeadersStatus s;
    try {
      s = stream.onResponseHeaders(endStream);
    } finally {
      phase = saved;
    }
    if (s != FilterHeadersStatus.CONTINUE && continueResponseInCallback && !failReplySent) {
      return FilterHeadersStatus.CONTINUE;
    }
    return s;
  }

  @Override
  public FilterDataStatus encodeData(BodyBuffer data, boolean endStream) {
    if (failReplySent) {
      return FilterDataStatus.CONTINUE;
    }
    if (bufferingResponse) {
      takeHeldBody(encoder.encodingBuffer(), data);
    }
    Phase saved = enter(Phase.ENCODE_DATA);
    continueResponseInCallback = false;
    responseData = data;
    responseEnd = endStream;
    FilterDataStatus s;
    try {
      s = stream.onResponseBody(data.length(), endStream);
    } finally {
      phase = saved;
    }
    if (s != FilterDataStatus.CONTINUE && continueResponseInCallback && !failReplySent) {
      s = FilterDataStatus.CONTINUE;
    }
    bufferingResponse = s == FilterDataStatus.STOP_ITERATION_AND_BUFFER;
    if (s == FilterDataStatus.CONTINUE) {
      responseData = null;
    }
    return s;
  }

  @Override
  public FilterTrailersStatus encodeTrailers(HeaderMap trailers) {
    if (failReplySent) {
      return FilterTrailersStatus.CONTINUE;
    }
    Phase saved = enter(Phase.ENCODE_TRAILERS);
    continueResponseInCallback = false;
    FilterTrailersStatus s;
    try {
      s = stream.onResponseTrailers();
    } finally {
      phase = saved;
    }
    if (s != FilterTrailersStatus.CONTINUE && continueResponseInCallback && !failReplySent) {
      return FilterTrailersStatus.CONTINUE;
    }
    return s;
  }

  @Override
  public void onStreamComplete() {
    stream.onLog();
  }

  @Override
  public void onDestroy() {
    stream.onDestroy();
  }

  private Phase enter(Phase p) {
    Phase saved = phase;
    phase = p;
    return saved;
  }

  /**
   * Moves what the filter manager buffered for us in front of the new chunk, so the module sees
   * the whole body (Envoy adds the chunk to the buffer before calling the module). The filter
   * manager appends the chunk to its (now empty) buffer again if the module keeps buffering.
   */
  private static void takeHeldBody(BodyBuffer held, BodyBuffer chunk) {
    if (held != null && held != chunk && !held.isEmpty()) {
      chunk.prepend(held.toByteArray());
      held.clear();
    }
  }

  private boolean decoding() {
    return phase == Phase.DECODE_HEADERS || phase == Phase.DECODE_DATA || phase == Phase.DECODE_TRAILERS;
  }

  private boolean encoding() {
    return phase == Phase.ENCODE_HEADERS || phase == Phase.ENCODE_DATA || phase == Phase.ENCODE_TRAILERS;
  }

  // HeaderHost

  @Override
  public HeaderMap headerMap(MapType type, boolean forWrite) {
    return switch (type) {
      case HTTP_REQUEST_HEADERS -> decoder.requestHeaders();
      case HTTP_REQUEST_TRAILERS -> {
        HeaderMap t = decoder.requestTrailers();
        // Trailers may be added during the last body callback, as Envoy's addDecodedTrailers.
        if (t == null && forWrite && phase == Phase.DECODE_DATA && requestEnd) {
          t = decoder.addDecodedTrailers();
        }
        yield t;
      }
      case HTTP_RESPONSE_HEADERS -> encoder.responseHeaders();
      case HTTP_RESPONSE_TRAILERS -> {
        HeaderMap t = encoder.responseTrailers();
        if (t == null && forWrite && phase == Phase.ENCODE_DATA && responseEnd) {
          t = encoder.addEncodedTrailers();
        }
        yield t;
      }
      default -> null;
    };
  }

  // BufferHost

  @Override
  public BodyBuffer body(BufferType type) {
    return switch (type) {
      case HTTP_REQUEST_BODY -> {
        if (phase != Phase.DECODE_DATA && bufferingRequest && decoder.decodingBuffer() != null) {
          yield decoder.decodingBuffer();
        }
        yield requestData;
      }
      case HTTP_RESPONSE_BODY -> {
        if (phase != Phase.ENCODE_DATA && bufferingResponse && encoder.encodingBuffer() != null) {
          yield encoder.encodingBuffer();
        }
        yield responseData;
      }
      default -> null;
    };
  }

  // PropertyHost

  @Override
  public StreamInfo streamInfo() {
    return decoder.streamInfo();
  }

  /**
   * What only the data plane knows: the route (selected now if no filter asked yet), the cluster
   * the route points at before the router picks it, the listener's direction and metadata, the
   * cluster's metadata. Everything else comes from the runtime's catalogue over the stream info.
   */
  @Override
  public byte[] property(List<String> path) {
    boolean legacy = path.size() == 1;
    String name;
    if (path.size() == 2 && path.get(0).equals("xds")) {
      name = path.get(1);
    } else if (legacy) {
      name = path.get(0);
    } else {
      return null;
    }
    switch (name) {
      case "route_name", "virtual_host_name", "cluster_name" -> {
        if (legacy && name.equals("virtual_host_name")) {
          return null;
        }
        RouteView route = decoder.route(); // fills the stream info's route and virtual host names
        if (name.equals("cluster_name") && decoder.streamInfo().upstreamClusterName() == null
            && route != null && route.clusterName() != null) {
          return route.clusterName().getBytes(StandardCharsets.UTF_8);
        }
        return null;
      }
      case "listener_direction" -> {
        ListenerConfig l = host.listener(decoder.streamInfo().listenerName());
        return l == null ? null : le64(direction(l.trafficDirection()));
      }
      case "listener_metadata" -> {
        if (legacy) {
          return null;
        }
        ListenerConfig l = host.listener(decoder.streamInfo().listenerName());
        if (l != null && l.source() instanceof io.envoyproxy.envoy.config.listener.v3.Listener proto) {
          return proto.getMetadata().toByteArray();
        }
        return null;
      }
      case "cluster_metadata" -> {
        if (legacy) {
          return null;
        }
        String cluster = decoder.streamInfo().upstreamClusterName();
        if (cluster == null) {
          RouteView route = decoder.route();
          cluster = route == null ? null : route.clusterName();
        }
        Cluster c = cluster == null ? null : host.cluster(cluster);
        if (c != null && c.config().source() instanceof io.envoyproxy.envoy.config.cluster.v3.Cluster proto) {
          return proto.getMetadata().toByteArray();
        }
        return null;
      }
      default -> {
        return null;
      }
    }
  }

  /** {@code envoy.config.core.v3.TrafficDirection} as a number. */
  static long direction(String d) {
    if (d == null) {
      return 0;
    }
    return switch (d) {
      case "INBOUND" -> 1;
      case "OUTBOUND" -> 2;
      default -> 0;
    };
  }

  static byte[] le64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  // HttpStreamHost: stream actions, called after the module's callback returned

  @Override
  public void continueStream(StreamType type) {
    if (type == StreamType.HTTP_REQUEST) {
      if (decoding()) {
        continueRequestInCallback = true;
      } else {
        decoder.continueDecoding();
      }
    } else if (type == StreamType.HTTP_RESPONSE) {
      if (encoding()) {
        continueResponseInCallback = true;
      } else {
        encoder.continueEncoding();
      }
    }
  }

  @Override
  public void closeStream(StreamType type) {
    StreamInfo info = decoder.streamInfo();
    if (info.responseCodeDetails().isEmpty()) {
      info.setResponseCodeDetails(CLOSE_STREAM_DETAILS);
    }
    decoder.resetStream();
  }

  @Override
  public void sendLocalResponse(LocalReply reply) {
    if (FAIL_STREAM_DETAILS.equals(reply.details())) {
      failReplySent = true;
    }
    decoder.sendLocalReply(reply);
  }

  @Override
  public void clearRouteCache() {
    decoder.clearRouteCache();
  }
}
