package dev.xdsdp.xds.testing;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Records every request and response a {@link TestControlPlane} sees, SotW and delta, so tests can
 * wait for an ACK or a NACK. Thread-safe.
 */
public final class RecordingCallbacks implements DiscoveryServerCallbacks {

  private final List<DiscoveryRequest> sotwRequests = new ArrayList<>();
  private final List<DeltaDiscoveryRequest> deltaRequests = new ArrayList<>();
  private final List<DiscoveryResponse> sotwResponses = new ArrayList<>();
  private final List<DeltaDiscoveryResponse> deltaResponses = new ArrayList<>();
  private final AtomicInteger streamsOpened = new AtomicInteger();

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    streamsOpened.incrementAndGet();
  }

  @Override
  public synchronized void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    sotwRequests.add(request);
    notifyAll();
  }

  @Override
  public synchronized void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    deltaRequests.add(request);
    notifyAll();
  }

  @Override
  public synchronized void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    sotwResponses.add(response);
    notifyAll();
  }

  @Override
  public synchronized void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request,
      DeltaDiscoveryResponse response) {
    deltaResponses.add(response);
    notifyAll();
  }

  /** ADS streams opened so far (ECDS requests ride on the same streams and are not counted twice). */
  public int streamsOpened() {
    return streamsOpened.get();
  }

  public synchronized List<DiscoveryRequest> sotwRequests() {
    return List.copyOf(sotwRequests);
  }

  public synchronized List<DeltaDiscoveryRequest> deltaRequests() {
    return List.copyOf(deltaRequests);
  }

  public synchronized List<DiscoveryResponse> sotwResponses() {
    return List.copyOf(sotwResponses);
  }

  public synchronized List<DeltaDiscoveryResponse> deltaResponses() {
    return List.copyOf(deltaResponses);
  }

  public synchronized void clear() {
    sotwRequests.clear();
    deltaRequests.clear();
    sotwResponses.clear();
    deltaResponses.clear();
  }

  /** Waits for a SotW request matching {@code p} (already received ones count). */
  public DiscoveryRequest awaitSotw(Predicate<DiscoveryRequest> p, Duration timeout) {
    return await(() -> sotwRequests, p, timeout, "SotW request");
  }

  /** Waits for a delta request matching {@code p} (already received ones count). */
  public DeltaDiscoveryRequest awaitDelta(Predicate<DeltaDiscoveryRequest> p, Duration timeout) {
    return await(() -> deltaRequests, p, timeout, "delta request");
  }

  private synchronized <T> T await(java.util.function.Supplier<List<T>> list, Predicate<T> p, Duration timeout,
      String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int checked = 0;
    while (true) {
      List<T> l = list.get();
      for (; checked < l.size(); checked++) {
        if (p.test(l.get(checked))) {
          return l.get(checked);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching " + what + " within " + timeout + "; saw " + l);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
