package dev.xdsdp.it.wasm;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real HTTP servers the Wasm tests call out to: an auth service ({@code GET /auth}: 200 with
 * {@code x-user} for {@code authorization: Bearer <user>-ok}, 403 otherwise; users whose name
 * starts with {@code slow} are answered after {@link #SLOW_AUTH_MILLIS}) and a code server that
 * serves module bytes and can fail its first requests.
 */
final class AuxServers implements AutoCloseable {

  static final long SLOW_AUTH_MILLIS = 1500;

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer auth;
  private final HttpServer code;
  final AtomicInteger authRequests = new AtomicInteger();
  final AtomicInteger codeRequests = new AtomicInteger();
  /** The code server answers 503 to this many requests before it serves. */
  final AtomicInteger codeFailures = new AtomicInteger();
  private volatile byte[] module = new byte[0];

  AuxServers() throws Exception {
    auth = vertx.createHttpServer().requestHandler(req -> {
      authRequests.incrementAndGet();
      String authz = req.getHeader("authorization");
      Runnable answer = () -> {
        if (req.path().equals("/auth") && authz != null && authz.startsWith("Bearer ") && authz.endsWith("-ok")) {
          req.response().putHeader("x-user", authz.substring(7, authz.length() - 3)).end("ok");
        } else {
          req.response().setStatusCode(403).end("no");
        }
      };
      if (authz != null && authz.startsWith("Bearer slow")) {
        vertx.setTimer(SLOW_AUTH_MILLIS, t -> {
          if (!req.response().closed()) {
            answer.run();
          }
        });
      } else {
        answer.run();
      }
    });
    code = vertx.createHttpServer().requestHandler(req -> {
      codeRequests.incrementAndGet();
      if (codeFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        req.response().setStatusCode(503).end();
        return;
      }
      req.response().putHeader("content-type", "application/wasm").end(Buffer.buffer(module));
    });
    auth.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    code.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  int authPort() {
    return auth.actualPort();
  }

  int codePort() {
    return code.actualPort();
  }

  void serve(byte[] bytes) {
    module = bytes;
  }

  @Override
  public void close() {
    vertx.close();
  }
}
