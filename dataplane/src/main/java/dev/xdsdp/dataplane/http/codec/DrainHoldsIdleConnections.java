package dev.xdsdp.dataplane.http.codec;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.ShutdownEvent;

/**
 * Keeps an HTTP/1.1 downstream connection open through its server's graceful shutdown (a listener
 * that LDS removes drains with {@code --drain-time-s}), as Envoy keeps a draining listener's
 * connections until the drain time is up. Vert.x shuts a server down by telling each connection,
 * and an HTTP/1.1 connection that is idle at that moment closes at once: a client that reuses it
 * just then finds it closed under its request. Here the server's shutdown notice does not reach
 * the HTTP/1.1 connection; it keeps serving, each response saying {@code connection: close}
 * (the listener marks its connections draining) after which it closes, and the server closes
 * whatever is left when the drain time ends. HTTP/2 connections still get the notice (GOAWAY).
 */
public final class DrainHoldsIdleConnections {

  private DrainHoldsIdleConnections() {}

  /**
   * Installs the hold on a connection Vert.x accepted as HTTP/1.x (others are left as they are: an
   * h2c upgrade happens on a connection's first request, before Vert.x reports it as HTTP/1.x);
   * {@code startDraining} runs on the connection's event loop when the notice is held back, for a
   * connection accepted too late to be marked draining by its listener.
   */
  public static void install(HttpConnection connection, Runnable startDraining) {
    if (connection.protocolVersion() != HttpVersion.HTTP_2 && connection instanceof ConnectionBase base) {
      base.channel().pipeline().addFirst(new ChannelInboundHandlerAdapter() {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
          if (event instanceof ShutdownEvent) {
            startDraining.run();
            return;
          }
          super.userEventTriggered(ctx, event);
        }
      });
    }
  }
}
