package dev.xdsdp.xds.protocol;

import java.util.Set;

/**
 * What a client wants of one type: everything ({@code wildcard}, Listener and Cluster only) and/or
 * named resources.
 */
public record Subscription(boolean wildcard, Set<String> names) {

  public static final Subscription NONE = new Subscription(false, Set.of());

  public Subscription {
    names = Set.copyOf(names);
  }

  public boolean isEmpty() {
    return !wildcard && names.isEmpty();
  }
}
