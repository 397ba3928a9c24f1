package dev.xdsdp.dataplane.upstream.lb;

import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.dataplane.upstream.HostSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Uniform random choice (weighted by host weight). */
public final class RandomLb implements LoadBalancer {

  @Override
  public Host choose(HostSet hostSet) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    List<Host> hosts = hostSet.candidates(rnd.nextInt(100));
    if (hosts.isEmpty()) {
      return null;
    }
    int total = 0;
    for (Host h : hosts) {
      total += h.weight();
    }
    int pick = rnd.nextInt(total);
    for (Host h : hosts) {
      pick -= h.weight();
      if (pick < 0) {
        return h;
      }
    }
    return hosts.get(hosts.size() - 1);
  }
}
