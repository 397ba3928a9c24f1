package dev.xdsdp.wasm.testing;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.context.CalloutHost;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link CalloutHost} that knows the clusters in {@link #clusters} and holds every call until
 * the test answers it, from any thread, as a real cluster manager would.
 */
public final class FakeCallouts implements CalloutHost {

  public final Set<String> clusters = ConcurrentHashMap.newKeySet();

  /** An HTTP call the module made. */
  public record Http(HttpCallRequest request, HttpCallCallbacks callbacks, AtomicBoolean cancelled) {
    public void respond(int status, String body, String... headers) {
      HeaderMap h = HeaderMap.create();
      h.add(":status", Integer.toString(status));
      for (int i = 0; i + 1 < headers.length; i += 2) {
        h.add(headers[i], headers[i + 1]);
      }
      HeaderMap t = HeaderMap.create();
      t.add("x-t", "trailer-value");
      callbacks.onSuccess(new HttpCallResponse(h, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), t));
    }

    public void fail(String reason) {
      callbacks.onFailure(reason);
    }
  }

  /** A gRPC call or stream the module opened. */
  public record Grpc(
      GrpcCallRequest request,
      GrpcCallbacks callbacks,
      boolean stream,
      List<String> sent,
      AtomicBoolean cancelled,
      AtomicBoolean halfClosed) {}

  public final BlockingQueue<Http> http = new LinkedBlockingQueue<>();
  public final BlockingQueue<Grpc> grpc = new LinkedBlockingQueue<>();

  public FakeCallouts(String... clusters) {
    this.clusters.addAll(List.of(clusters));
  }

  @Override
  public Callout httpCall(HttpCallRequest request, HttpCallCallbacks callbacks) {
    if (!clusters.contains(request.cluster())) {
      return null;
    }
    Http h = new Http(request, callbacks, new AtomicBoolean());
    http.add(h);
    return () -> h.cancelled().set(true);
  }

  @Override
  public Callout grpcCall(GrpcCallRequest request, GrpcCallbacks callbacks) {
    if (request.cluster() == null || !clusters.contains(request.cluster())) {
      return null;
    }
    Grpc g = new Grpc(request, callbacks, false, new CopyOnWriteArrayList<>(), new AtomicBoolean(), new AtomicBoolean());
    grpc.add(g);
    return () -> g.cancelled().set(true);
  }

  @Override
  public GrpcStream grpcStream(GrpcCallRequest request, GrpcCallbacks callbacks) {
    if (request.cluster() == null || !clusters.contains(request.cluster())) {
      return null;
    }
    Grpc g = new Grpc(request, callbacks, true, new CopyOnWriteArrayList<>(), new AtomicBoolean(), new AtomicBoolean());
    grpc.add(g);
    return new GrpcStream() {
      @Override
      public void send(byte[] message, boolean endOfStream) {
        g.sent().add(new String(message, java.nio.charset.StandardCharsets.UTF_8) + (endOfStream ? "|end" : ""));
      }

      @Override
      public void closeSend() {
        g.halfClosed().set(true);
      }

      @Override
      public void cancel() {
        g.cancelled().set(true);
      }
    };
  }

  public Http nextHttp(Duration timeout) {
    try {
      return http.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      throw new RuntimeException(e);
    }
  }

  public Grpc nextGrpc(Duration timeout) {
    try {
      return grpc.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      throw new RuntimeException(e);
    }
  }
}
