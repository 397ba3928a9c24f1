package dev.xdsdp.dataplane.upstream;

import dev.xdsdp.api.stream.Address;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream endpoint of a cluster. Immutable facts plus live counters read by the least-request
 * balancer and {@code /clusters}; shared by all event loops.
 */
public final class Host {

  private final Address address;
  private final String hostname;
  private final int weight;
  private final int priority;
  private final String locality;
  private volatile boolean healthy;
  private volatile SocketAddress socketAddress;
  private volatile String connectionKey;
  private volatile boolean degraded;
  private final AtomicInteger activeRequests = new AtomicInteger();
  private final AtomicInteger activeConnections = new AtomicInteger();
  private final java.util.concurrent.atomic.LongAdder totalRequests = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder failedConnections = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder successRequests = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder errorRequests = new java.util.concurrent.atomic.LongAdder();

  public Host(Address address, String hostname, int weight, int priority, String locality, boolean healthy, boolean degraded) {
    this.address = address;
    this.hostname = hostname == null ? "" : hostname;
    this.weight = Math.max(1, weight);
    this.priority = priority;
    this.locality = locality == null ? "" : locality;
    this.healthy = healthy;
    this.degraded = degraded;
  }

  public Address address() {
    return address;
  }

  /** The address as Vert.x's client takes it, made once (requests ask for it each time). */
  public SocketAddress socketAddress() {
    SocketAddress a = socketAddress;
    if (a == null) {
      a = address.isPipe() ? SocketAddress.domainSocketAddress(address.pipePath())
          : SocketAddress.inetSocketAddress(address.port(), address.ip());
      socketAddress = a;
    }
    return a;
  }

  /** The host as {@link Http2ConnectGate} keys it, made once. */
  String connectionKey() {
    String k = connectionKey;
    if (k == null) {
      k = Http2ConnectGate.key(socketAddress());
      connectionKey = k;
    }
    return k;
  }

  /** The endpoint's host name (the DNS name for DNS clusters), or empty. */
  public String hostname() {
    return hostname;
  }

  public int weight() {
    return weight;
  }

  public int priority() {
    return priority;
  }

  public String locality() {
    return locality;
  }

  public boolean healthy() {
    return healthy;
  }

  public boolean degraded() {
    return degraded;
  }

  public void setHealthy(boolean healthy) {
    this.healthy = healthy;
  }

  public int activeRequests() {
    return activeRequests.get();
  }

  public void onRequestStart() {
    activeRequests.incrementAndGet();
    totalRequests.increment();
  }

  public void onRequestEnd(boolean success) {
    activeRequests.decrementAndGet();
    (success ? successRequests : errorRequests).increment();
  }

  public AtomicInteger activeConnections() {
    return activeConnections;
  }

  public void onConnectFailure() {
    failedConnections.increment();
  }

  public long totalRequests() {
    return totalRequests.sum();
  }

  public long failedConnections() {
    return failedConnections.sum();
  }

  public long successRequests() {
    return successRequests.sum();
  }

  public long errorRequests() {
    return errorRequests.sum();
  }

  /** Two hosts are the same endpoint when address, name, weight, priority and health agree. */
  public boolean sameAs(Host other) {
    return address.equals(other.address) && hostname.equals(other.hostname) && weight == other.weight
        && priority == other.priority && healthy == other.healthy && degraded == other.degraded;
  }

  @Override
  public String toString() {
    return address.toString();
  }
}
