package dev.xdsdp.xds.snapshot;

import dev.xdsdp.xds.bootstrap.XdsBootstrapInfo;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.testing.TestControlPlane;
import dev.xdsdp.xds.testing.TestFilters;
import dev.xdsdp.xds.testing.TestStats;
import dev.xdsdp.xds.testing.XdsTestResources;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** One xDS client under test against one {@link TestControlPlane}, with every snapshot recorded. */
final class XdsHarness implements AutoCloseable {

  static final Node NODE = Node.newBuilder().setId("sidecar~127.0.0.1~test.default~default.svc.cluster.local")
      .setCluster("test").setUserAgentName("xdsdp").build();
  static final Duration WAIT = Duration.ofSeconds(10);

  final TestControlPlane cp;
  final TestStats stats = new TestStats();
  final boolean delta;
  private final List<ConfigSnapshot> snapshots = new ArrayList<>();
  private XdsConfigSource source;

  XdsHarness(TestControlPlane cp, boolean delta) {
    this.cp = cp;
    this.delta = delta;
  }

  XdsHarness start(long initialFetchTimeoutMillis) {
    return start(XdsTestResources.info(cp, delta, initialFetchTimeoutMillis));
  }

  XdsHarness start(XdsBootstrapInfo info) {
    var registry = TestFilters.registry();
    source = XdsConfigSource.start(info, NODE,
        issues -> new ParseContext(registry, stats, NODE, false, issues, UnaryOperator.identity()),
        stats, this::onSnapshot);
    return this;
  }

  private synchronized void onSnapshot(ConfigSnapshot s) {
    snapshots.add(s);
    notifyAll();
  }

  synchronized ConfigSnapshot latest() {
    return snapshots.isEmpty() ? ConfigSnapshot.EMPTY : snapshots.getLast();
  }

  synchronized int snapshotCount() {
    return snapshots.size();
  }

  /** Waits until the latest snapshot matches. */
  synchronized ConfigSnapshot await(Predicate<ConfigSnapshot> p, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      ConfigSnapshot s = latest();
      if (p.test(s)) {
        return s;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no snapshot with " + what + " within " + WAIT + "; latest: listeners="
            + s.listeners().keySet() + " warming=" + s.warmingListeners().keySet() + " clusters="
            + s.clusters().keySet() + " warmingClusters=" + s.warmingClusters().keySet() + " routes="
            + s.routeConfigs().keySet() + " endpoints=" + s.endpoints().keySet() + " ecds="
            + s.extensionConfigs().keySet() + " initialized=" + s.initialized() + " statuses=" + s.statuses());
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Waits until a stat has a value matching {@code p}. */
  long awaitStat(String name, java.util.function.LongPredicate p) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      long v = stats.value(name);
      if (p.test(v)) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("stat " + name + " is " + v + " after " + WAIT + "; all: " + stats.snapshot());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  XdsConfigSource source() {
    return source;
  }

  @Override
  public void close() {
    if (source != null) {
      source.close();
    }
  }
}
