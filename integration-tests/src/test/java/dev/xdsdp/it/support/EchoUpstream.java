package dev.xdsdp.it.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real upstream HTTP server (HTTP/1.1 and h2c) that answers with a JSON description of the request
 * it received: {@code name}, {@code method}, {@code path}, {@code version}, {@code headers} (name →
 * values), {@code body}. Query parameters steer it: {@code status=N}, {@code delay=ms} (before the
 * headers), {@code chunks=N} (stream N chunks 50 ms apart), {@code trailer=k:v},
 * {@code header=k:v} (extra response header), {@code close=1} (close the connection without
 * answering), {@code delayOn=name} (apply {@code delay} only on the upstream of that name, answer
 * at once elsewhere), {@code summary=1} ({@code bodyLength} instead of {@code body}),
 * {@code size=N} (answer with N bytes of body instead of the JSON, written as fast as the
 * connection takes them; {@link #bytesStreamed()} counts what left), {@code slowRead=ms} (read the
 * request body slowly: a pause of that long after every 64 KiB; answers with {@code bodyLength}),
 * {@code early=N} (answer status N at once, without waiting for the request body).
 */
public final class EchoUpstream implements AutoCloseable {

  private final String name;
  private final Vertx vertx;
  private final HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong streamed = new java.util.concurrent.atomic.AtomicLong();

  private EchoUpstream(String name, Vertx vertx, HttpServer server) {
    this.name = name;
    this.vertx = vertx;
    this.server = server;
  }

  public static EchoUpstream start(String name) throws Exception {
    Vertx vertx = Vertx.vertx();
    EchoUpstream[] self = new EchoUpstream[1];
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(req -> self[0].handle(req));
    self[0] = new EchoUpstream(name, vertx, server);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return self[0];
  }

  public int port() {
    return server.actualPort();
  }

  public int requests() {
    return requests.get();
  }

  /** Body bytes written by {@code size=N} answers so far (accepted by the connection). */
  public long bytesStreamed() {
    return streamed.get();
  }

  public String name() {
    return name;
  }

  private void handle(HttpServerRequest req) {
    requests.incrementAndGet();
    if (req.getParam("early") != null) {
      req.response().setStatusCode(Integer.parseInt(req.getParam("early"))).end();
      return;
    }
    if (req.getParam("slowRead") != null) {
      readSlowly(req, Long.parseLong(req.getParam("slowRead")));
      return;
    }
    req.body().onSuccess(body -> respond(req, body));
  }

  private void respond(HttpServerRequest req, Buffer body) {
    MultiMap q = req.params();
    if ("1".equals(q.get("close"))) {
      req.connection().close();
      return;
    }
    long delay = q.get("delay") == null ? 0 : Long.parseLong(q.get("delay"));
    if (q.get("delayOn") != null && !q.get("delayOn").equals(name)) {
      delay = 0;
    }
    Runnable answer = () -> {
      JsonObject json = new JsonObject()
          .put("name", name)
          .put("method", req.method().name())
          .put("path", req.uri())
          .put("version", req.version().name())
          .put("authority", req.authority() == null ? null : req.authority().toString())
          .put("body", "1".equals(q.get("summary")) ? null : body.toString())
          .put("bodyLength", body.length());
      JsonObject headers = new JsonObject();
      for (Map.Entry<String, String> e : req.headers()) {
        String k = e.getKey().toLowerCase();
        JsonArray values = headers.getJsonArray(k);
        if (values == null) {
          values = new JsonArray();
          headers.put(k, values);
        }
        values.add(e.getValue());
      }
      json.put("headers", headers);
      var resp = req.response();
      resp.setStatusCode(q.get("status") == null ? 200 : Integer.parseInt(q.get("status")));
      resp.putHeader("content-type", "application/json");
      resp.putHeader("x-upstream-name", name);
      for (String h : q.getAll("header")) {
        int c = h.indexOf(':');
        resp.putHeader(h.substring(0, c), h.substring(c + 1));
      }
      for (String t : q.getAll("trailer")) {
        int c = t.indexOf(':');
        resp.setChunked(true);
        resp.putTrailer(t.substring(0, c), t.substring(c + 1));
      }
      if (q.get("size") != null) {
        resp.putHeader("content-length", q.get("size"));
        streamBytes(resp, Long.parseLong(q.get("size")));
        return;
      }
      int chunks = q.get("chunks") == null ? 0 : Integer.parseInt(q.get("chunks"));
      if (chunks > 0) {
        resp.setChunked(true);
        streamChunks(resp, chunks, 0);
        return;
      }
      resp.end(json.encode());
    };
    if (delay > 0) {
      vertx.setTimer(delay, t -> answer.run());
    } else {
      answer.run();
    }
  }

  private void readSlowly(HttpServerRequest req, long pauseMillis) {
    long[] total = {0, 0};
    req.handler(chunk -> {
      total[0] += chunk.length();
      total[1] += chunk.length();
      if (total[1] >= 64 * 1024) {
        total[1] = 0;
        req.pause();
        vertx.setTimer(pauseMillis, t -> req.resume());
      }
    });
    req.endHandler(v -> req.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("name", name).put("bodyLength", total[0]).encode()));
  }

  /** Writes {@code left} bytes, pausing whenever the connection's write queue is full. */
  private void streamBytes(io.vertx.core.http.HttpServerResponse resp, long left) {
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    while (left > 0 && !resp.writeQueueFull()) {
      int n = (int) Math.min(chunk.length(), left);
      Buffer b = n == chunk.length() ? chunk : chunk.getBuffer(0, n);
      left -= n;
      streamed.addAndGet(n);
      if (left == 0) {
        resp.end(b);
        return;
      }
      resp.write(b);
    }
    long rest = left;
    resp.drainHandler(v -> streamBytes(resp, rest));
  }

  private void streamChunks(io.vertx.core.http.HttpServerResponse resp, int total, int sent) {
    if (sent == total) {
      resp.end();
      return;
    }
    resp.write("chunk" + sent + "\n");
    vertx.setTimer(50, t -> streamChunks(resp, total, sent + 1));
  }

  @Override
  public void close() {
    vertx.close();
  }
}
