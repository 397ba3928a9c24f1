package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Envoy's {@code CodeStats} for one scope (a cluster's, or a virtual cluster's): the response
 * stats named after the status code, which appear on the first response with that code.
 *
 * <ul>
 *   <li>{@code upstream_rq_completed}, {@code upstream_rq_<N>xx}, {@code upstream_rq_<code>}
 *       ({@code upstream_rq_unknown} outside 100..599, which has no class);
 *   <li>the same under {@code external.} or {@code internal.}, and {@code canary.} for canary hosts;
 *   <li>{@code upstream_rq_time} (ms), and its {@code external.}/{@code internal.}/{@code canary.}
 *       copies.
 * </ul>
 *
 * <p>Counters are looked up once per distinct code and cached, so the hot path indexes arrays.
 */
public final class ResponseCodeStats {

  private static final int FIRST_CODE = 100;
  private static final int CODES = 500;

  private final Category basic;
  private final Category external;
  private final Category internal;
  private final Category canary;

  /** Stats in {@code scope}, e.g. {@code store.scope("cluster.backend")}. */
  public ResponseCodeStats(StatsScope scope) {
    this.basic = new Category(scope);
    this.external = new Category(scope.scope("external"));
    this.internal = new Category(scope.scope("internal"));
    this.canary = new Category(scope.scope("canary"));
  }

  /**
   * Charges only the basic stats: {@code upstream_rq_completed}, and unless {@code excludeCodes},
   * the class and code counters (Envoy's {@code chargeBasicResponseStat}).
   */
  public void chargeBasicResponseStat(int code, boolean excludeCodes) {
    basic.charge(code, excludeCodes);
  }

  /** Charges a completed upstream response (Envoy's {@code chargeResponseStat}). */
  public void chargeResponseStat(int code, boolean internalRequest, boolean canaryHost) {
    basic.charge(code, false);
    if (canaryHost) {
      canary.charge(code, false);
    }
    (internalRequest ? internal : external).charge(code, false);
  }

  /**
   * Records only {@code upstream_rq_time}, as Envoy does for a virtual cluster's scope
   * ({@code vhost.<vh>.vcluster.<vc>.upstream_rq_time}).
   */
  public void chargeBasicResponseTiming(long millis) {
    basic.time().record(millis);
  }

  /** Records the response time (Envoy's {@code chargeResponseTiming}). */
  public void chargeResponseTiming(long millis, boolean internalRequest, boolean canaryHost) {
    basic.time().record(millis);
    if (canaryHost) {
      canary.time().record(millis);
    }
    (internalRequest ? internal : external).time().record(millis);
  }

  private static final class Category {
    private final StatsScope scope;
    private final Counter completed;
    private final Counter[] classes = new Counter[5];
    private final AtomicReferenceArray<Counter> codes = new AtomicReferenceArray<>(CODES);
    private volatile Counter unknown;
    private volatile Histogram time;

    Category(StatsScope scope) {
      this.scope = scope;
      this.completed = scope.counter("upstream_rq_completed");
      for (int i = 0; i < 5; i++) {
        classes[i] = scope.counter("upstream_rq_" + (i + 1) + "xx");
      }
    }

    void charge(int code, boolean excludeCodes) {
      completed.inc();
      if (excludeCodes) {
        return;
      }
      int group = code / 100;
      if (group >= 1 && group <= 5) {
        classes[group - 1].inc();
      }
      codeCounter(code).inc();
    }

    private Counter codeCounter(int code) {
      int index = code - FIRST_CODE;
      if (index < 0 || index >= CODES) {
        Counter u = unknown;
        if (u == null) {
          u = scope.counter("upstream_rq_unknown");
          unknown = u;
        }
        return u;
      }
      Counter c = codes.get(index);
      if (c == null) {
        // The store returns the same counter for the same name, so a race only repeats a lookup.
        c = scope.counter("upstream_rq_" + code);
        codes.set(index, c);
      }
      return c;
    }

    Histogram time() {
      Histogram h = time;
      if (h == null) {
        h = scope.histogram("upstream_rq_time", Histogram.Unit.MILLISECONDS);
        time = h;
      }
      return h;
    }
  }
}
