package dev.xdsdp.dataplane.http.codec;

import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One socket write per event-loop turn for each HTTP connection, downstream and upstream, as
 * Envoy's buffered connection writes have. Vert.x flushes every frame written to a connection that
 * is not itself reading at that moment, and a proxy almost always writes to the other connection:
 * a request's headers and body, read from the client, each cost a syscall on the upstream socket,
 * and a response's headers, data and trailers each one on the client's. Deferring those flushes to
 * the end of the loop's current turn sends what the turn produced for a socket in one write
 * (benchmarks/RESULTS.md, figures 1 and 2, has what it changed).
 */
public final class WriteCoalescing {

  /** Flushes at once after this many deferred ones, so a long turn still writes as it goes. */
  private static final int MAX_DEFERRED_FLUSHES = 64;

  private WriteCoalescing() {}

  /**
   * Makes writes to the connection's socket coalesce. Vert.x's HTTP/1.x and HTTP/2 connections are
   * all its internal {@code ConnectionBase}; one that is not is left to flush as before.
   */
  public static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      Channel channel = base.channel();
      // First in the pipeline, so that flushes from the HTTP/2 codec itself are deferred too.
      if (channel.pipeline().get(FlushConsolidationHandler.class) == null) {
        channel.pipeline().addFirst(new FlushConsolidationHandler(MAX_DEFERRED_FLUSHES, true));
      }
    }
  }
}
