package dev.xdsdp.xds.resource.listener;

import dev.xdsdp.xds.resource.CidrRange;
import java.util.List;

/**
 * A filter chain's {@code filter_chain_match}. Empty lists and zero ports mean "any".
 *
 * @param transportProtocol {@code raw_buffer}, {@code tls}, or empty for any
 */
public record FilterChainMatchConfig(
    int destinationPort,
    List<CidrRange> prefixRanges,
    List<String> serverNames,
    String transportProtocol,
    List<String> applicationProtocols,
    List<CidrRange> directSourcePrefixRanges,
    SourceType sourceType,
    List<CidrRange> sourcePrefixRanges,
    List<Integer> sourcePorts) {

  public static final FilterChainMatchConfig ANY = new FilterChainMatchConfig(
      0, List.of(), List.of(), "", List.of(), List.of(), SourceType.ANY, List.of(), List.of());

  public FilterChainMatchConfig {
    prefixRanges = List.copyOf(prefixRanges);
    serverNames = List.copyOf(serverNames);
    applicationProtocols = List.copyOf(applicationProtocols);
    directSourcePrefixRanges = List.copyOf(directSourcePrefixRanges);
    sourcePrefixRanges = List.copyOf(sourcePrefixRanges);
    sourcePorts = List.copyOf(sourcePorts);
  }

  /** Envoy's {@code source_type}. */
  public enum SourceType {
    ANY,
    SAME_IP_OR_LOOPBACK,
    EXTERNAL,
  }
}
