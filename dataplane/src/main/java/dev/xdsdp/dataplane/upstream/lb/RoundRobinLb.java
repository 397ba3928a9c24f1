package dev.xdsdp.dataplane.upstream.lb;

import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.dataplane.upstream.HostSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round robin; with unequal weights, smooth weighted round robin so each host gets its weight's
 * share in every cycle (Envoy uses an EDF scheduler with the same outcome).
 */
public final class RoundRobinLb implements LoadBalancer {

  private final AtomicLong next = new AtomicLong(ThreadLocalRandom.current().nextInt(1 << 16));

  @Override
  public Host choose(HostSet hostSet) {
    List<Host> hosts = hostSet.candidates(ThreadLocalRandom.current().nextInt(100));
    int n = hosts.size();
    if (n == 0) {
      return null;
    }
    long ticket = next.getAndIncrement();
    int total = 0;
    boolean weighted = false;
    int first = hosts.get(0).weight();
    for (Host h : hosts) {
      total += h.weight();
      weighted |= h.weight() != first;
    }
    if (!weighted) {
      return hosts.get((int) Math.floorMod(ticket, (long) n));
    }
    // Interleave: position p in [0,total) maps to the host whose cumulative share covers it,
    // stepping through positions with a stride coprime to total so consecutive picks spread out.
    long pos = Math.floorMod(ticket * stride(total), (long) total);
    long acc = 0;
    for (Host h : hosts) {
      acc += h.weight();
      if (pos < acc) {
        return h;
      }
    }
    return hosts.get(n - 1);
  }

  private static long stride(int total) {
    long s = Math.max(1, (long) (total * 0.618));
    while (gcd(s, total) != 1) {
      s++;
    }
    return s;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
