package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.filter.FilterDispatcher;
import dev.xdsdp.api.filter.RouteSpecificConfig;
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
import dev.xdsdp.api.http.WatermarkCallbacks;
import dev.xdsdp.api.stream.StreamInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one stream's HTTP filters, Envoy's {@code FilterManager}: the request is decoded through the
 * filters in order, the response encoded through them in reverse, and each filter's
 * {@code Continue}/{@code Stop*} status decides whether iteration goes on, waits, or buffers.
 *
 * <p>Everything runs on the stream's event loop. The manager never blocks: a stopped filter resumes
 * iteration later with {@code continueDecoding()}/{@code continueEncoding()}.
 */
public final class FilterManager {

  /** Where the manager sends what comes out of the filters, and what it needs from the stream. */
  public interface StreamSink {
    /** Response headers leave the last encoder filter. */
    void writeHeaders(HeaderMap headers, boolean endStream);

    void writeData(BodyBuffer data, boolean endStream);

    void writeTrailers(HeaderMap trailers);

    /** Abort the stream towards the client. */
    void resetStream();

    /** Pause or resume reading the request body from the client. */
    void setReadDisabled(boolean disabled);

    /** The route for the current request headers (cached by the stream until cleared). */
    RouteView route();

    void clearRouteCache();

    /** The most specific per-route config for a filter name, or null. */
    RouteSpecificConfig perRouteConfig(String filterName);

    /** A local reply is about to be sent: the sink may adapt it (gRPC, response flags). */
    HeaderMap localReplyHeaders(LocalReply reply, HeaderMap requestHeaders);
  }

  private final List<ActiveFilter> filters;
  private final StreamSink sink;
  private final StreamInfo streamInfo;
  private final FilterDispatcher dispatcher;
  private final long streamId;
  private final int bufferLimit;
  private final List<WatermarkCallbacks> watermarkCallbacks = new ArrayList<>(1);

  private HeaderMap requestHeaders;
  private HeaderMap requestTrailers;
  private boolean requestComplete;
  private HeaderMap responseHeaders;
  private HeaderMap responseTrailers;
  private boolean responseStarted;
  private boolean responseHeadersSent;
  private boolean responseComplete;
  private boolean decodeAborted;
  private boolean destroyed;
  private boolean filtersDestroyed;
  /**
   * Envoy's {@code decoder_filters_streaming_} / {@code encoder_filters_streaming_}: whether the
   * last filter that buffered asked for a watermark ({@code StopIterationAndWatermark}: a buffer
   * over the limit pauses the other side) or a plain buffer (over the limit fails the stream).
   */
  private boolean decoderFiltersStreaming = true;
  private boolean encoderFiltersStreaming = true;
  /** The client is paused because filters hold more request body than the limit. */
  private boolean readDisabledForBuffer;
  /** The upstream is paused because filters hold more response body than the limit. */
  private boolean upstreamPausedForBuffer;
  /** Sources that currently want the upstream paused (downstream write queue, filter buffers). */
  private int highWatermarkCount;

  /**
   * @param names each filter's configured name (for per-route config lookup), parallel to {@code httpFilters}
   * @param bufferLimit bytes a filter may buffer before the stream fails (413/500)
   */
  public FilterManager(
      List<HttpFilter> httpFilters,
      List<String> names,
      StreamSink sink,
      StreamInfo streamInfo,
      FilterDispatcher dispatcher,
      long streamId,
      int bufferLimit) {
    this.sink = sink;
    this.streamInfo = streamInfo;
    this.dispatcher = dispatcher;
    this.streamId = streamId;
    this.bufferLimit = bufferLimit;
    this.filters = new ArrayList<>(httpFilters.size());
    for (int i = 0; i < httpFilters.size(); i++) {
      ActiveFilter f = new ActiveFilter(i, httpFilters.get(i), names.get(i));
      filters.add(f);
    }
    for (ActiveFilter f : filters) {
      f.filter.setDecoderFilterCallbacks(f);
      f.filter.setEncoderFilterCallbacks(f);
    }
  }

  public HeaderMap requestHeaders() {
    return requestHeaders;
  }

  public HeaderMap responseHeaders() {
    return responseHeaders;
  }

  public HeaderMap responseTrailers() {
    return responseTrailers;
  }

  public boolean isResponseComplete() {
    return responseComplete;
  }

  public boolean isResponseStarted() {
    return responseStarted;
  }

  public boolean isRequestComplete() {
    return requestComplete;
  }

  // ---------------------------------------------------------------------------------------------
  // Entry points from the downstream codec.

  public void decodeHeaders(HeaderMap headers, boolean endStream) {
    requestHeaders = headers;
    requestComplete = endStream;
    if (endStream) {
      streamInfo.onLastDownstreamRxByteReceived();
    }
    decodeHeadersFrom(0, endStream);
  }

  public void decodeData(BodyBuffer data, boolean endStream) {
    if (decodeAborted || destroyed) {
      return;
    }
    streamInfo.addBytesReceived(data.length());
    if (endStream) {
      requestComplete = true;
      streamInfo.onLastDownstreamRxByteReceived();
    }
    decodeDataFrom(0, data, endStream);
    updateDecodeWatermark();
  }

  public void decodeTrailers(HeaderMap trailers) {
    if (decodeAborted || destroyed) {
      return;
    }
    requestTrailers = trailers;
    requestComplete = true;
    streamInfo.onLastDownstreamRxByteReceived();
    decodeTrailersFrom(0);
  }

  // ---------------------------------------------------------------------------------------------
  // Decode iteration. Each returns true when the event went past the last filter.

  private boolean decodeHeadersFrom(int from, boolean endStream) {
    for (int i = from; i < filters.size(); i++) {
      if (decodeAborted || destroyed) {
        return false;
      }
      ActiveFilter f = filters.get(i);
      f.dHeadersCalled = true;
      f.inCallback = Callback.DECODE_HEADERS;
      FilterHeadersStatus status;
      try {
        status = f.filter.decodeHeaders(requestHeaders, endStream);
      } finally {
        f.inCallback = Callback.NONE;
      }
      if (decodeAborted || destroyed) {
        return false;
      }
      switch (status) {
        case CONTINUE -> {
          f.dHeadersPassed = true;
          if (f.dBuffer != null) {
            // The filter added a body to a header-only request: headers go on without end of stream,
            // then that body with it.
            decodeHeadersFrom(i + 1, false);
            if (decodeAborted || destroyed) {
              return false;
            }
            BodyBuffer body = f.dBuffer;
            f.dBuffer = null;
            return decodeDataFrom(i + 1, body, requestComplete && requestTrailers == null);
          }
          if (endStream) {
            f.dEndPassed = true;
          }
        }
        case STOP_ITERATION -> {
          f.dStopped = true;
          return false;
        }
        case STOP_ALL_ITERATION_AND_BUFFER, STOP_ALL_ITERATION_AND_WATERMARK -> {
          f.dStopped = true;
          f.dStopAll = true;
          f.dStopAllWatermark = status == FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
          return false;
        }
      }
    }
    return true;
  }

  private boolean decodeDataFrom(int from, BodyBuffer data, boolean endStream) {
    for (int i = from; i < filters.size(); i++) {
      if (decodeAborted || destroyed) {
        return false;
      }
      ActiveFilter f = filters.get(i);
      if (!f.dHeadersCalled) {
        return false;
      }
      if (f.dStopAll) {
        decoderFiltersStreaming = f.dStopAllWatermark;
        bufferDecodedData(f, data);
        return false;
      }
      f.inCallback = Callback.DECODE_DATA;
      FilterDataStatus status;
      try {
        status = f.filter.decodeData(data, endStream);
      } finally {
        f.inCallback = Callback.NONE;
      }
      if (decodeAborted || destroyed) {
        return false;
      }
      switch (status) {
        case CONTINUE -> {
          if (f.dBuffer != null) {
            f.dBuffer.append(data);
            data.clear();
            data = f.dBuffer;
            f.dBuffer = null;
          }
          f.dStopped = false;
          if (!f.dHeadersPassed) {
            // Continue from data after headers were held: headers first, then everything held.
            f.dBuffer = data;
            resumeDecoding(f);
            return false;
          }
          if (endStream) {
            f.dEndPassed = true;
          }
        }
        case STOP_ITERATION_AND_BUFFER, STOP_ITERATION_AND_WATERMARK -> {
          f.dStopped = true;
          decoderFiltersStreaming = status == FilterDataStatus.STOP_ITERATION_AND_WATERMARK;
          if (f.dBuffer != data) {
            if (!bufferDecodedData(f, data)) {
              return false;
            }
          }
          return false;
        }
        case STOP_ITERATION_NO_BUFFER -> {
          f.dStopped = true;
          return false;
        }
      }
    }
    return true;
  }

  private boolean decodeTrailersFrom(int from) {
    for (int i = from; i < filters.size(); i++) {
      if (decodeAborted || destroyed) {
        return false;
      }
      ActiveFilter f = filters.get(i);
      if (!f.dHeadersCalled || f.dStopAll) {
        return false;
      }
      f.inCallback = Callback.DECODE_TRAILERS;
      FilterTrailersStatus status;
      try {
        status = f.filter.decodeTrailers(requestTrailers);
      } finally {
        f.inCallback = Callback.NONE;
      }
      if (decodeAborted || destroyed) {
        return false;
      }
      if (status == FilterTrailersStatus.STOP_ITERATION) {
        f.dStopped = true;
        f.dTrailersHeld = true;
        return false;
      }
      if (f.dStopped || !f.dHeadersPassed || f.dBuffer != null) {
        // Trailers continue a stopped filter: push out what it held, then the trailers.
        f.dStopped = false;
        resumeDecoding(f);
        return false;
      }
      f.dTrailersPassed = true;
    }
    return true;
  }

  private boolean bufferDecodedData(ActiveFilter f, BodyBuffer data) {
    if (f.dBuffer == null) {
      f.dBuffer = BodyBuffer.create();
    }
    f.dBuffer.append(data);
    data.clear();
    if (f.dBuffer.length() > bufferLimit) {
      if (decoderFiltersStreaming) {
        // Envoy: a watermark buffer over the limit stops reading from the client until it drains.
        updateDecodeWatermark();
        return true;
      }
      // Envoy: a request body larger than the buffer limit fails with 413.
      sendLocalReplyFrom(f, LocalReply.of(413, "Payload Too Large", "request_payload_too_large"));
      return false;
    }
    return true;
  }

  /** The most body any one filter holds in one direction. */
  private long largestBuffer(boolean decode) {
    long max = 0;
    for (ActiveFilter f : filters) {
      BodyBuffer b = decode ? f.dBuffer : f.eBuffer;
      if (b != null && b.length() > max) {
        max = b.length();
      }
    }
    return max;
  }

  /**
   * Pauses the client while filters hold more request body than the limit (high watermark), and
   * resumes it once they hold at most half of it (low watermark), as Envoy's watermark buffers do.
   */
  private void updateDecodeWatermark() {
    if (filtersDestroyed) {
      return;
    }
    long held = destroyed ? 0 : largestBuffer(true);
    if (!readDisabledForBuffer && held > bufferLimit) {
      readDisabledForBuffer = true;
      sink.setReadDisabled(true);
    } else if (readDisabledForBuffer && held <= bufferLimit / 2) {
      readDisabledForBuffer = false;
      sink.setReadDisabled(false);
    }
  }

  /** The same for the response: filters holding more than the limit pause the upstream. */
  private void updateEncodeWatermark() {
    long held = destroyed ? 0 : largestBuffer(false);
    if (!upstreamPausedForBuffer && held > bufferLimit) {
      upstreamPausedForBuffer = true;
      onAboveWriteBufferHighWatermark();
    } else if (upstreamPausedForBuffer && held <= bufferLimit / 2) {
      upstreamPausedForBuffer = false;
      onBelowWriteBufferLowWatermark();
    }
  }

  /** Passes on what {@code f} held back: headers, buffered body, end of stream, trailers. */
  private void resumeDecoding(ActiveFilter f) {
    if (decodeAborted || destroyed) {
      return;
    }
    boolean fromSelf = f.dStopAll;
    f.dStopAll = false;
    f.dStopped = false;
    int next = f.index + 1;
    if (fromSelf) {
      // With StopAll the filter has not seen what arrived since; it gets it now, then the rest.
      if (!f.dHeadersPassed) {
        f.dHeadersPassed = true;
        boolean end = requestComplete && f.dBuffer == null && requestTrailers == null;
        if (end) {
          f.dEndPassed = true;
        }
        decodeHeadersFrom(next, end);
        if (decodeAborted || destroyed) {
          return;
        }
      }
      if (f.dBuffer != null) {
        BodyBuffer b = f.dBuffer;
        f.dBuffer = null;
        decodeDataFrom(f.index, b, requestComplete && requestTrailers == null);
        if (decodeAborted || destroyed) {
          return;
        }
      }
      if (requestTrailers != null && !f.dTrailersPassed) {
        decodeTrailersFrom(f.index);
      }
      return;
    }
    if (!f.dHeadersPassed) {
      f.dHeadersPassed = true;
      boolean end = requestComplete && f.dBuffer == null && requestTrailers == null;
      if (end) {
        f.dEndPassed = true;
      }
      decodeHeadersFrom(next, end);
      if (decodeAborted || destroyed) {
        return;
      }
    }
    if (f.dBuffer != null) {
      BodyBuffer b = f.dBuffer;
      f.dBuffer = null;
      boolean end = requestComplete && requestTrailers == null;
      if (end) {
        f.dEndPassed = true;
      }
      decodeDataFrom(next, b, end);
      if (decodeAborted || destroyed) {
        return;
      }
    } else if (requestComplete && requestTrailers == null && !f.dEndPassed) {
      f.dEndPassed = true;
      decodeDataFrom(next, BodyBuffer.create(), true);
      if (decodeAborted || destroyed) {
        return;
      }
    }
    if (requestTrailers != null && !f.dTrailersPassed) {
      f.dTrailersPassed = true;
      decodeTrailersFrom(next);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Encode iteration, from the last filter to the first, then to the sink.

  private void encodeHeadersFrom(int from, HeaderMap headers, boolean endStream) {
    responseStarted = true;
    responseHeaders = headers;
    if (endStream) {
      responseComplete = true;
    }
    for (int i = from; i >= 0; i--) {
      if (destroyed) {
        return;
      }
      ActiveFilter f = filters.get(i);
      f.eHeadersCalled = true;
      f.inCallback = Callback.ENCODE_HEADERS;
      FilterHeadersStatus status;
      try {
        status = f.filter.encodeHeaders(headers, endStream);
      } finally {
        f.inCallback = Callback.NONE;
      }
      if (destroyed || f.localReplyReplaced) {
        f.localReplyReplaced = false;
        return;
      }
      switch (status) {
        case CONTINUE -> {
          f.eHeadersPassed = true;
          if (f.eBuffer != null) {
            encodeHeadersToSink(i - 1, headers, false);
            if (destroyed) {
              return;
            }
            BodyBuffer body = f.eBuffer;
            f.eBuffer = null;
            encodeDataFrom(i - 1, body, responseComplete && responseTrailers == null);
            return;
          }
          if (endStream) {
            f.eEndPassed = true;
          }
        }
        case STOP_ITERATION -> {
          f.eStopped = true;
          return;
        }
        case STOP_ALL_ITERATION_AND_BUFFER, STOP_ALL_ITERATION_AND_WATERMARK -> {
          f.eStopped = true;
          f.eStopAll = true;
          f.eStopAllWatermark = status == FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
          return;
        }
      }
    }
    writeHeadersToSink(headers, endStream);
  }

  /** Continues header iteration below {@code from} (used after a filter added a body). */
  private void encodeHeadersToSink(int from, HeaderMap headers, boolean endStream) {
    for (int i = from; i >= 0; i--) {
      ActiveFilter f = filters.get(i);
      f.eHeadersCalled = true;
      f.inCallback = Callback.ENCODE_HEADERS;
      FilterHeadersStatus status;
      try {
        status = f.filter.encodeHeaders(headers, endStream);
      } finally {
        f.inCallback = Callback.NONE;
      }
      if (destroyed) {
        return;
      }
      if (status != FilterHeadersStatus.CONTINUE) {
        f.eStopped = true;
        f.eStopAll = status == FilterHeadersStatus.STOP_ALL_ITERATION_AND_BUFFER
            || status == FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
        f.eStopAllWatermark = status == FilterHeadersStatus.STOP_ALL_ITERATION_AND_WATERMARK;
        return;
      }
      f.eHeadersPassed = true;
    }
    writeHeadersToSink(headers, endStream);
  }

  private void writeHeadersToSink(HeaderMap headers, boolean endStream) {
    if (responseHeadersSent) {
      return;
    }
    responseHeadersSent = true;
    streamInfo.onFirstDownstreamTxByteSent();
    sink.writeHeaders(headers, endStream);
    if (endStream) {
      streamInfo.onLastDownstreamTxByteSent();
    }
  }

  private void encodeDataFrom(int from, BodyBuffer data, boolean endStream) {
    if (endStream) {
      responseComplete = true;
    }
    for (int i = from; i >= 0; i--) {
      if (destroyed) {
        return;
      }
      ActiveFilter f = filters.get(i);
      if (!f.eHeadersCalled) {
        return;
      }
      if (f.eStopAll) {
        encoderFiltersStreaming = f.eStopAllWatermark;
        bufferEncodedData(f, data);
        return;
      }
      f.inCallback = Callback.ENCODE_DATA;
      FilterDataStatus status;
      try {
        status = f.filter.encodeData(data, endStream);
      } finally {
        f.inCallback = Callback.NONE;
      }
      if (destroyed || f.localReplyReplaced) {
        f.localReplyReplaced = false;
        return;
      }
      switch (status) {
        case CONTINUE -> {
          if (f.eBuffer != null) {
            f.eBuffer.append(data);
            data.clear();
            data = f.eBuffer;
            f.eBuffer = null;
          }
          f.eStopped = false;
          if (!f.eHeadersPassed) {
            f.eBuffer = data;
            resumeEncoding(f);
            return;
          }
          if (endStream) {
            f.eEndPassed = true;
          }
        }
        case STOP_ITERATION_AND_BUFFER, STOP_ITERATION_AND_WATERMARK -> {
          f.eStopped = true;
          encoderFiltersStreaming = status == FilterDataStatus.STOP_ITERATION_AND_WATERMARK;
          if (f.eBuffer != data) {
            bufferEncodedData(f, data);
          }
          return;
        }
        case STOP_ITERATION_NO_BUFFER -> {
          f.eStopped = true;
          return;
        }
      }
    }
    streamInfo.addBytesSent(data.length());
    sink.writeData(data, endStream);
    if (endStream) {
      streamInfo.onLastDownstreamTxByteSent();
    }
  }

  private void encodeTrailersFrom(int from) {
    responseComplete = true;
    for (int i = from; i >= 0; i--) {
      if (destroyed) {
        return;
      }
      ActiveFilter f = filters.get(i);
      if (!f.eHeadersCalled || f.eStopAll) {
        return;
      }
      f.inCallback = Callback.ENCODE_TRAILERS;
      FilterTrailersStatus status;
      try {
        status = f.filter.encodeTrailers(responseTrailers);
      } finally {
        f.inCallback = Callback.NONE;
      }
      if (destroyed) {
        return;
      }
      if (status == FilterTrailersStatus.STOP_ITERATION) {
        f.eStopped = true;
        return;
      }
      if (f.eStopped || !f.eHeadersPassed || f.eBuffer != null) {
        f.eStopped = false;
        resumeEncoding(f);
        return;
      }
      f.eTrailersPassed = true;
    }
    sink.writeTrailers(responseTrailers);
    streamInfo.onLastDownstreamTxByteSent();
  }

  private void bufferEncodedData(ActiveFilter f, BodyBuffer data) {
    if (f.eBuffer == null) {
      f.eBuffer = BodyBuffer.create();
    }
    f.eBuffer.append(data);
    data.clear();
    if (f.eBuffer.length() > bufferLimit) {
      if (encoderFiltersStreaming) {
        // Envoy: a watermark buffer over the limit pauses the upstream until it drains.
        updateEncodeWatermark();
        return;
      }
      if (!responseHeadersSent) {
        // Envoy: a response body over the buffer limit becomes a 500 local reply.
        replaceResponseWithLocalReply(LocalReply.of(500, "Internal Server Error", "response_payload_too_large"));
      } else {
        resetStream();
      }
    }
  }

  private void resumeEncoding(ActiveFilter f) {
    if (destroyed) {
      return;
    }
    boolean fromSelf = f.eStopAll;
    f.eStopAll = false;
    f.eStopped = false;
    int next = f.index - 1;
    if (!f.eHeadersPassed) {
      f.eHeadersPassed = true;
      boolean end = responseComplete && f.eBuffer == null && responseTrailers == null;
      if (end) {
        f.eEndPassed = true;
      }
      encodeHeadersToSink(next, responseHeaders, end);
      if (destroyed) {
        return;
      }
    }
    if (f.eBuffer != null) {
      BodyBuffer b = f.eBuffer;
      f.eBuffer = null;
      boolean end = responseComplete && responseTrailers == null;
      if (end) {
        f.eEndPassed = true;
      }
      encodeDataFrom(fromSelf ? f.index : next, b, end);
    } else if (responseComplete && responseTrailers == null && !f.eEndPassed) {
      f.eEndPassed = true;
      encodeDataFrom(next, BodyBuffer.create(), true);
    }
    if (destroyed) {
      return;
    }
    if (responseTrailers != null && !f.eTrailersPassed) {
      f.eTrailersPassed = true;
      encodeTrailersFrom(fromSelf ? f.index : next);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Local replies and resets.

  /** Sends a local reply as if from the end of the decode chain (used by the connection manager). */
  public void sendLocalReply(LocalReply reply) {
    sendLocalReplyFrom(null, reply);
  }

  private void sendLocalReplyFrom(ActiveFilter from, LocalReply reply) {
    if (destroyed) {
      return;
    }
    decodeAborted = true;
    if (responseHeadersSent) {
      // Too late to change the response: Envoy resets the stream.
      streamInfo.setResponseCodeDetails(reply.details());
      resetStream();
      return;
    }
    if (responseStarted) {
      // Encoding began (a filter is holding the response): replace it.
      replaceResponseWithLocalReply(reply);
      return;
    }
    encodeLocalReply(reply);
  }

  private void replaceResponseWithLocalReply(LocalReply reply) {
    for (ActiveFilter f : filters) {
      if (f.inCallback == Callback.ENCODE_HEADERS || f.inCallback == Callback.ENCODE_DATA) {
        f.localReplyReplaced = true;
      }
      f.eHeadersCalled = false;
      f.eHeadersPassed = false;
      f.eStopped = false;
      f.eStopAll = false;
      f.eBuffer = null;
      f.eEndPassed = false;
      f.eTrailersPassed = false;
    }
    responseTrailers = null;
    responseComplete = false;
    updateEncodeWatermark();
    encodeLocalReply(reply);
  }

  private void encodeLocalReply(LocalReply reply) {
    streamInfo.setResponseCodeDetails(reply.details());
    HeaderMap headers = sink.localReplyHeaders(reply, requestHeaders);
    String grpcStatus = headers.get("grpc-status");
    boolean grpc = grpcStatus != null && headers.status() == 200;
    byte[] body = reply.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (grpc || body.length == 0) {
      encodeHeadersFrom(filters.size() - 1, headers, true);
    } else {
      encodeHeadersFrom(filters.size() - 1, headers, false);
      if (!destroyed && !responseComplete) {
        encodeDataFrom(filters.size() - 1, BodyBuffer.wrap(body), true);
      }
    }
  }

  /** Resets the stream towards the client and tells the filters it is over. */
  public void resetStream() {
    if (destroyed) {
      return;
    }
    decodeAborted = true;
    sink.resetStream();
  }

  /**
   * The stream is over (complete or reset): filters learn it ({@code onStreamComplete}) and no
   * further callback reaches them. Access logs are written after this, then {@link #destroy()}.
   */
  public void onStreamComplete() {
    if (destroyed) {
      return;
    }
    destroyed = true;
    // A client paused for a filter's buffer is let go: the stream no longer reads.
    updateDecodeWatermark();
    for (ActiveFilter f : filters) {
      try {
        f.filter.onStreamComplete();
      } catch (RuntimeException e) {
        System.getLogger("http").log(System.Logger.Level.WARNING, "filter " + f.name + " onStreamComplete failed", e);
      }
    }
  }

  /** Releases the filters ({@code onDestroy}), once, after {@link #onStreamComplete()}. */
  public void destroy() {
    onStreamComplete();
    if (filtersDestroyed) {
      return;
    }
    filtersDestroyed = true;
    for (ActiveFilter f : filters) {
      try {
        f.filter.onDestroy();
      } catch (RuntimeException e) {
        System.getLogger("http").log(System.Logger.Level.WARNING, "filter " + f.name + " onDestroy failed", e);
      }
    }
  }

  /**
   * A source of back-pressure on the response (the downstream write queue, or filters holding too
   * much response body) crossed its high watermark: the router pauses its upstream. Counted, as
   * Envoy's {@code high_watermark_count_}: the upstream resumes once every source is below.
   */
  public void onAboveWriteBufferHighWatermark() {
    if (highWatermarkCount++ > 0) {
      return;
    }
    for (WatermarkCallbacks cb : List.copyOf(watermarkCallbacks)) {
      cb.onAboveWriteBufferHighWatermark();
    }
  }

  public void onBelowWriteBufferLowWatermark() {
    if (highWatermarkCount == 0 || --highWatermarkCount > 0) {
      return;
    }
    for (WatermarkCallbacks cb : List.copyOf(watermarkCallbacks)) {
      cb.onBelowWriteBufferLowWatermark();
    }
  }

  private enum Callback {
    NONE,
    DECODE_HEADERS,
    DECODE_DATA,
    DECODE_TRAILERS,
    ENCODE_HEADERS,
    ENCODE_DATA,
    ENCODE_TRAILERS,
  }

  /** One filter's place in the chain and its callbacks (Envoy's ActiveStream*Filter). */
  private final class ActiveFilter implements DecoderFilterCallbacks, EncoderFilterCallbacks {
    final int index;
    final HttpFilter filter;
    final String name;
    Callback inCallback = Callback.NONE;

    boolean dHeadersCalled;
    boolean dHeadersPassed;
    boolean dStopped;
    boolean dStopAll;
    /** Stopped with StopAllIterationAndWatermark: over the limit the client pauses, no 413. */
    boolean dStopAllWatermark;
    boolean dEndPassed;
    boolean dTrailersPassed;
    boolean dTrailersHeld;
    BodyBuffer dBuffer;

    boolean eHeadersCalled;
    boolean eHeadersPassed;
    boolean eStopped;
    boolean eStopAll;
    boolean eStopAllWatermark;
    boolean eEndPassed;
    boolean eTrailersPassed;
    BodyBuffer eBuffer;
    boolean localReplyReplaced;

    ActiveFilter(int index, HttpFilter filter, String name) {
      this.index = index;
      this.filter = filter;
      this.name = name;
    }

    // StreamFilterCallbacks

    @Override
    public long streamId() {
      return streamId;
    }

    @Override
    public StreamInfo streamInfo() {
      return streamInfo;
    }

    @Override
    public FilterDispatcher dispatcher() {
      return dispatcher;
    }

    @Override
    public RouteView route() {
      return sink.route();
    }

    @Override
    public void clearRouteCache() {
      sink.clearRouteCache();
    }

    @Override
    public RouteSpecificConfig perRouteConfig() {
      return sink.perRouteConfig(name);
    }

    @Override
    public void resetStream() {
      FilterManager.this.resetStream();
    }

    @Override
    public void sendLocalReply(LocalReply reply) {
      sendLocalReplyFrom(this, reply);
    }

    // DecoderFilterCallbacks

    @Override
    public void continueDecoding() {
      if (destroyed || decodeAborted || inCallback != Callback.NONE) {
        return;
      }
      if (!dStopped && dHeadersPassed && dBuffer == null
          && (!requestComplete || dEndPassed) && (requestTrailers == null || dTrailersPassed)) {
        return;
      }
      if (!dHeadersCalled) {
        return;
      }
      resumeDecoding(this);
      updateDecodeWatermark();
    }

    @Override
    public BodyBuffer decodingBuffer() {
      return dBuffer;
    }

    @Override
    public void addDecodedData(BodyBuffer data, boolean streamingFilter) {
      if (inCallback == Callback.DECODE_DATA && streamingFilter) {
        // Streaming filters inject data in front of the current chunk's successors.
        decodeDataFrom(index + 1, data, false);
        return;
      }
      if (dBuffer == null) {
        dBuffer = BodyBuffer.create();
      }
      dBuffer.append(data);
    }

    @Override
    public HeaderMap addDecodedTrailers() {
      if (requestTrailers == null) {
        requestTrailers = HeaderMap.create();
      }
      return requestTrailers;
    }

    @Override
    public HeaderMap requestHeaders() {
      return requestHeaders;
    }

    @Override
    public HeaderMap requestTrailers() {
      return requestTrailers;
    }

    @Override
    public void encodeHeaders(HeaderMap headers, boolean endStream) {
      if (destroyed || responseStarted) {
        return;
      }
      encodeHeadersFrom(filters.size() - 1, headers, endStream);
    }

    @Override
    public void encodeData(BodyBuffer data, boolean endStream) {
      if (destroyed || responseComplete) {
        return;
      }
      encodeDataFrom(filters.size() - 1, data, endStream);
      updateEncodeWatermark();
    }

    @Override
    public void encodeTrailers(HeaderMap trailers) {
      if (destroyed || responseComplete) {
        return;
      }
      responseTrailers = trailers;
      encodeTrailersFrom(filters.size() - 1);
    }

    @Override
    public int decoderBufferLimit() {
      return bufferLimit;
    }

    @Override
    public void addDownstreamWatermarkCallbacks(WatermarkCallbacks callbacks) {
      watermarkCallbacks.add(callbacks);
      if (highWatermarkCount > 0) {
        // A router that attaches while the response is already paused starts paused too.
        callbacks.onAboveWriteBufferHighWatermark();
      }
    }

    @Override
    public void removeDownstreamWatermarkCallbacks(WatermarkCallbacks callbacks) {
      watermarkCallbacks.remove(callbacks);
    }

    @Override
    public void setDownstreamReadDisabled(boolean disabled) {
      sink.setReadDisabled(disabled);
    }

    // EncoderFilterCallbacks

    @Override
    public void continueEncoding() {
      if (destroyed || inCallback != Callback.NONE || !eHeadersCalled) {
        return;
      }
      if (!eStopped && eHeadersPassed && eBuffer == null
          && (!responseComplete || eEndPassed) && (responseTrailers == null || eTrailersPassed)) {
        return;
      }
      resumeEncoding(this);
      updateEncodeWatermark();
    }

    @Override
    public BodyBuffer encodingBuffer() {
      return eBuffer;
    }

    @Override
    public void addEncodedData(BodyBuffer data, boolean streamingFilter) {
      if (inCallback == Callback.ENCODE_DATA && streamingFilter) {
        encodeDataFrom(index - 1, data, false);
        return;
      }
      if (eBuffer == null) {
        eBuffer = BodyBuffer.create();
      }
      eBuffer.append(data);
    }

    @Override
    public HeaderMap addEncodedTrailers() {
      if (responseTrailers == null) {
        responseTrailers = HeaderMap.create();
      }
      return responseTrailers;
    }

    @Override
    public HeaderMap responseHeaders() {
      return responseHeaders;
    }

    @Override
    public HeaderMap responseTrailers() {
      return responseTrailers;
    }

    @Override
    public int encoderBufferLimit() {
      return bufferLimit;
    }
  }
}
