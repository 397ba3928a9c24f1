package dev.xdsdp.dataplane.listener;

import dev.xdsdp.api.stream.Address;
import dev.xdsdp.xds.resource.CidrRange;
import dev.xdsdp.xds.resource.listener.FilterChainConfig;
import dev.xdsdp.xds.resource.listener.FilterChainMatchConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Chooses a connection's filter chain in Envoy's order: destination port, destination IP, server
 * name, transport protocol, application protocols, direct source IP, source type, source IP, source
 * port. At each step the most specific match wins and chains that do not match drop out. Plaintext
 * connections have no SNI and no ALPN, and their transport protocol is {@code raw_buffer}.
 */
public final class FilterChainMatcher {

  private static final int NO = -1;
  private static final int ANY = 0;

  private FilterChainMatcher() {}

  /** The chain for a connection, the default chain, or null (the connection is closed). */
  public static FilterChainConfig select(ListenerConfig listener, Address local, Address remote) {
    List<FilterChainConfig> c = listener.filterChains();
    int localPort = local == null ? 0 : local.port();
    String localIp = local == null || local.isPipe() ? null : local.ip();
    String remoteIp = remote == null || remote.isPipe() ? null : remote.ip();
    int remotePort = remote == null ? 0 : remote.port();
    c = narrow(c, m -> m.destinationPort() == 0 ? ANY : (m.destinationPort() == localPort ? 1 : NO));
    c = narrow(c, m -> prefixScore(m.prefixRanges(), localIp));
    c = narrow(c, m -> m.serverNames().isEmpty() ? ANY : NO);
    c = narrow(c, m -> m.transportProtocol().isEmpty() ? ANY : (m.transportProtocol().equals("raw_buffer") ? 1 : NO));
    c = narrow(c, m -> m.applicationProtocols().isEmpty() ? ANY : NO);
    c = narrow(c, m -> prefixScore(m.directSourcePrefixRanges(), remoteIp));
    c = narrow(c, m -> switch (m.sourceType()) {
      case ANY -> ANY;
      case SAME_IP_OR_LOOPBACK -> isLocal(remoteIp, localIp) ? 1 : NO;
      case EXTERNAL -> isLocal(remoteIp, localIp) ? NO : 1;
    });
    c = narrow(c, m -> prefixScore(m.sourcePrefixRanges(), remoteIp));
    c = narrow(c, m -> m.sourcePorts().isEmpty() ? ANY : (m.sourcePorts().contains(remotePort) ? 1 : NO));
    if (!c.isEmpty()) {
      return c.get(0);
    }
    return listener.defaultFilterChain();
  }

  private static List<FilterChainConfig> narrow(List<FilterChainConfig> chains, ToIntFunction<FilterChainMatchConfig> score) {
    if (chains.size() <= 1 && (chains.isEmpty() || score.applyAsInt(chains.get(0).match()) != NO)) {
      return chains;
    }
    int best = NO;
    List<FilterChainConfig> out = new ArrayList<>();
    for (FilterChainConfig fc : chains) {
      int s = score.applyAsInt(fc.match());
      if (s == NO) {
        continue;
      }
      if (s > best) {
        best = s;
        out.clear();
      }
      if (s == best) {
        out.add(fc);
      }
    }
    return out;
  }

  /** 0 for no ranges (any), 1 + prefix length for the longest containing range, -1 for none. */
  private static int prefixScore(List<CidrRange> ranges, String ip) {
    if (ranges.isEmpty()) {
      return ANY;
    }
    int best = NO;
    for (CidrRange r : ranges) {
      if (ip != null && r.contains(ip)) {
        best = Math.max(best, 1 + r.length());
      }
    }
    return best;
  }

  private static boolean isLocal(String remote, String local) {
    if (remote == null) {
      return true;
    }
    return remote.startsWith("127.") || remote.equals("::1") || remote.equals("0:0:0:0:0:0:0:1") || remote.equals(local);
  }
}
