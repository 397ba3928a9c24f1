package dev.xdsdp.dataplane.upstream.lb;

import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.dataplane.upstream.HostSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Envoy's least request: with equal weights, the best of {@code choiceCount} random hosts (power of
 * two choices); with unequal weights, random choice weighted by {@code weight / (active + 1)}.
 */
public final class LeastRequestLb implements LoadBalancer {

  private final int choiceCount;

  public LeastRequestLb(int choiceCount) {
    this.choiceCount = Math.max(2, choiceCount);
  }

  @Override
  public Host choose(HostSet hostSet) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    List<Host> hosts = hostSet.candidates(rnd.nextInt(100));
    int n = hosts.size();
    if (n == 0) {
      return null;
    }
    if (n == 1) {
      return hosts.get(0);
    }
    boolean weighted = false;
    for (Host h : hosts) {
      weighted |= h.weight() != hosts.get(0).weight();
    }
    if (!weighted) {
      Host best = null;
      for (int i = 0; i < choiceCount; i++) {
        Host h = hosts.get(rnd.nextInt(n));
        if (best == null || h.activeRequests() < best.activeRequests()) {
          best = h;
        }
      }
      return best;
    }
    double total = 0;
    double[] eff = new double[n];
    for (int i = 0; i < n; i++) {
      eff[i] = hosts.get(i).weight() / (hosts.get(i).activeRequests() + 1.0);
      total += eff[i];
    }
    double pick = rnd.nextDouble() * total;
    for (int i = 0; i < n; i++) {
      pick -= eff[i];
      if (pick < 0) {
        return hosts.get(i);
      }
    }
    return hosts.get(n - 1);
  }
}
