package dev.xdsdp.dataplane.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hosts of a cluster grouped by priority, with Envoy's priority load: each priority takes
 * {@code min(100, overprovisioning × healthy/total)} percent of the traffic, in priority order, until
 * 100% is assigned; below the panic threshold every host is used regardless of health. Immutable;
 * a cluster swaps in a new one when its endpoints change.
 */
public final class HostSet {

  /** One priority level's hosts. */
  public record Priority(int priority, List<Host> hosts, List<Host> healthyHosts) {}

  private final List<Host> all;
  private final List<Priority> priorities;
  private final int[] load;
  private final boolean panic;

  public static final HostSet EMPTY = new HostSet(List.of(), 140, 50.0);

  public HostSet(List<Host> hosts, int overprovisioningFactor, double panicThresholdPercent) {
    this.all = List.copyOf(hosts);
    TreeMap<Integer, List<Host>> byPriority = new TreeMap<>();
    for (Host h : hosts) {
      byPriority.computeIfAbsent(h.priority(), k -> new ArrayList<>()).add(h);
    }
    List<Priority> ps = new ArrayList<>();
    for (Map.Entry<Integer, List<Host>> e : byPriority.entrySet()) {
      List<Host> healthy = new ArrayList<>();
      for (Host h : e.getValue()) {
        if (h.healthy()) {
          healthy.add(h);
        }
      }
      ps.add(new Priority(e.getKey(), List.copyOf(e.getValue()), List.copyOf(healthy)));
    }
    this.priorities = List.copyOf(ps);
    this.load = new int[ps.size()];
    int remaining = 100;
    double totalHealthyPercent = 0;
    for (int i = 0; i < ps.size(); i++) {
      Priority p = ps.get(i);
      int health = p.hosts().isEmpty()
          ? 0
          : (int) Math.min(100, (long) overprovisioningFactor * p.healthyHosts().size() / p.hosts().size());
      totalHealthyPercent += health;
      int take = Math.min(remaining, health);
      load[i] = take;
      remaining -= take;
    }
    if (remaining > 0 && totalHealthyPercent > 0) {
      // Not enough healthy capacity: scale up so the loads still add to 100, as Envoy normalises.
      int assigned = 100 - remaining;
      int sum = 0;
      for (int i = 0; i < load.length; i++) {
        load[i] = (int) Math.round(load[i] * 100.0 / assigned);
        sum += load[i];
      }
      if (load.length > 0) {
        load[0] += 100 - sum;
      }
    }
    // Envoy: below the panic threshold of normalised availability, balance across every host.
    this.panic = !ps.isEmpty() && Math.min(100.0, totalHealthyPercent) < panicThresholdPercent;
  }

  public List<Host> hosts() {
    return all;
  }

  public List<Priority> priorities() {
    return priorities;
  }

  public int healthyCount() {
    int n = 0;
    for (Priority p : priorities) {
      n += p.healthyHosts().size();
    }
    return n;
  }

  /** True when too few hosts are healthy and balancing ignores health (Envoy's panic mode). */
  public boolean isPanic() {
    return panic;
  }

  /**
   * The hosts a balancer picks from for a request with random {@code value} in [0, 100): the
   * healthy hosts of the priority that value selects, or all hosts of all priorities in panic mode.
   * Empty when nothing can serve.
   */
  public List<Host> candidates(int value) {
    if (priorities.isEmpty()) {
      return List.of();
    }
    if (panic) {
      return all;
    }
    int acc = 0;
    for (int i = 0; i < priorities.size(); i++) {
      acc += load[i];
      if (value < acc) {
        return priorities.get(i).healthyHosts();
      }
    }
    return List.of();
  }
}
