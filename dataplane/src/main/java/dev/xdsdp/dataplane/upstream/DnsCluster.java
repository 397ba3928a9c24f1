package dev.xdsdp.dataplane.upstream;

import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import dev.xdsdp.xds.resource.endpoint.EndpointConfig;
import dev.xdsdp.xds.resource.endpoint.EndpointResourceType;
import dev.xdsdp.xds.resource.endpoint.LocalityEndpoints;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * STRICT_DNS and LOGICAL_DNS clusters: endpoint host names are resolved off the event loops every
 * {@code dns_refresh_rate}. STRICT_DNS makes a host of every address of every name; LOGICAL_DNS
 * uses the first address of its single name (existing connections survive address changes).
 */
public final class DnsCluster extends Cluster {

  private static final System.Logger LOG = System.getLogger("upstream");

  private final ExecutorService resolver;
  private final Vertx vertx;
  private long timerId = -1;

  public DnsCluster(ClusterConfig config, Vertx vertx, StatsScope stats, ExecutorService resolver) {
    super(config, vertx, stats);
    this.vertx = vertx;
    this.resolver = resolver;
  }

  /** Resolves once (waiting at most the connect timeout, so startup is not held hostage), then periodically. */
  @Override
  public void initialize() {
    try {
      resolver.submit(this::resolve).get(Math.max(1000, config().connectTimeout().toMillis()), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "initial DNS resolution of cluster {0} did not finish: {1}",
          name(), String.valueOf(e));
    }
    scheduleRefresh();
  }

  private void scheduleRefresh() {
    if (isClosed()) {
      return;
    }
    timerId = vertx.setTimer(Math.max(1, config().dnsRefreshRate().toMillis()), id -> resolver.execute(() -> {
      resolve();
      scheduleRefresh();
    }));
  }

  void resolve() {
    if (isClosed()) {
      return;
    }
    stats().updateAttempt.inc();
    List<Host> hosts = new ArrayList<>();
    boolean failed = false;
    boolean logical = config().type() == ClusterConfig.DiscoveryType.LOGICAL_DNS;
    for (LocalityEndpoints l : config().loadAssignment().localities()) {
      String locality = l.region() + "/" + l.zone() + "/" + l.subZone();
      for (EndpointConfig e : l.endpoints()) {
        if (e.address().isPipe()) {
          hosts.add(new Host(Address.ofPipe(e.address().pipePath()), e.hostname(), e.weight(), l.priority(), locality, true, false));
          continue;
        }
        String name = e.address().host();
        List<String> ips;
        try {
          ips = lookup(name);
        } catch (UnknownHostException ex) {
          failed = true;
          LOG.log(System.Logger.Level.DEBUG, "cluster {0}: DNS lookup of {1} failed: {2}", name(), name, ex.getMessage());
          continue;
        }
        if (logical && !ips.isEmpty()) {
          ips = List.of(ips.get(0));
        }
        String hostname = e.hostname().isEmpty() ? name : e.hostname();
        for (String ip : ips) {
          hosts.add(new Host(Address.ofIp(ip, e.address().port()), hostname, e.weight(), l.priority(), locality,
              e.health() != EndpointConfig.HealthStatus.UNHEALTHY, e.health() == EndpointConfig.HealthStatus.DEGRADED));
        }
      }
    }
    if (failed && hosts.isEmpty()) {
      stats().updateFailure.inc();
      // Keep the last good hosts, as Envoy does when resolution fails.
      if (!hostSet().hosts().isEmpty()) {
        return;
      }
    } else {
      stats().updateSuccess.inc();
    }
    updateHosts(hosts, config().loadAssignment().overprovisioningFactor());
  }

  private List<String> lookup(String name) throws UnknownHostException {
    if (EndpointResourceType.isIpLiteral(name)) {
      return List.of(name);
    }
    InetAddress[] all = InetAddress.getAllByName(name);
    List<String> v4 = new ArrayList<>();
    List<String> v6 = new ArrayList<>();
    for (InetAddress a : all) {
      if (a instanceof Inet4Address) {
        v4.add(a.getHostAddress());
      } else if (a instanceof Inet6Address) {
        v6.add(a.getHostAddress());
      }
    }
    List<String> out = new ArrayList<>();
    switch (config().dnsLookupFamily()) {
      case V4_ONLY -> out.addAll(v4);
      case V6_ONLY -> out.addAll(v6);
      case V4_PREFERRED -> out.addAll(v4.isEmpty() ? v6 : v4);
      case AUTO -> out.addAll(v6.isEmpty() ? v4 : v6);
      case ALL -> {
        out.addAll(v4);
        out.addAll(v6);
      }
    }
    if (out.isEmpty()) {
      throw new UnknownHostException(name + ": no address of the requested family");
    }
    return out;
  }

  @Override
  public synchronized void close() {
    super.close();
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }
}
