package dev.xdsdp.dataplane.upstream.lb;

import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.dataplane.upstream.HostSet;

/** Picks the host for one request. Thread-safe: shared by all event loops of a cluster. */
public interface LoadBalancer {

  /** The chosen host, or null when no host can serve (the router answers 503 UH). */
  Host choose(HostSet hosts);
}
