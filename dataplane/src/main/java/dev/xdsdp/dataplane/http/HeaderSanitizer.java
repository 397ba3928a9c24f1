package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.xds.resource.CidrRange;
import dev.xdsdp.xds.resource.listener.HcmConfig;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The connection manager's request and response header edits, Envoy's
 * {@code ConnectionManagerUtility}: {@code x-forwarded-for}/{@code -proto}, internal vs edge
 * requests, cleaning of {@code x-envoy-*} headers from untrusted clients, {@code x-request-id},
 * {@code via}, {@code server} and {@code date}.
 */
public final class HeaderSanitizer {

  /** Headers an edge (external) request may not set: they steer Envoy's own behaviour. */
  static final List<String> INTERNAL_ONLY_ENVOY_HEADERS = List.of(
      "x-envoy-decorator-operation", "x-envoy-downstream-service-cluster", "x-envoy-downstream-service-node",
      "x-envoy-expected-rq-timeout-ms", "x-envoy-external-address", "x-envoy-force-trace", "x-envoy-internal",
      "x-envoy-ip-tags", "x-envoy-max-retries", "x-envoy-retriable-header-names", "x-envoy-retriable-status-codes",
      "x-envoy-retry-grpc-on", "x-envoy-retry-on", "x-envoy-upstream-alt-stat-name",
      "x-envoy-upstream-rq-per-try-timeout-ms", "x-envoy-upstream-rq-timeout-alt-response",
      "x-envoy-upstream-rq-timeout-ms", "x-envoy-hedge-on-per-try-timeout", "x-envoy-is-timeout-retry",
      "x-envoy-upstream-stream-duration-ms");

  static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "http2-settings");

  private HeaderSanitizer() {}

  /** What the request edits decided. */
  public record Result(Address remoteAddress, boolean internal, boolean edge) {}

  /**
   * Applies Envoy's request edits in place.
   *
   * @param direct the socket's peer address
   */
  public static Result mutateRequest(HeaderMap h, HcmConfig config, Address direct) {
    Address finalRemote = direct;
    if (config.useRemoteAddress()) {
      if (!config.skipXffAppend() && direct != null && !direct.isPipe()) {
        appendXff(h, direct.ip());
      }
      h.set("x-forwarded-proto", "http");
    } else {
      Address fromXff = lastAddressFromXff(h, config.xffNumTrustedHops());
      if (fromXff != null) {
        finalRemote = fromXff;
      }
    }
    if (!h.contains("x-forwarded-proto")) {
      h.set("x-forwarded-proto", "http");
    }
    boolean internal = finalRemote != null && isInternal(finalRemote, config.internalAddresses());
    boolean edge = config.useRemoteAddress() && !internal;
    if (edge) {
      for (String name : INTERNAL_ONLY_ENVOY_HEADERS) {
        h.remove(name);
      }
      if (finalRemote != null && !finalRemote.isPipe()) {
        h.set("x-envoy-external-address", finalRemote.ip());
      }
    }
    if (config.useRemoteAddress()) {
      if (internal) {
        h.set("x-envoy-internal", "true");
      } else {
        h.remove("x-envoy-internal");
      }
    }
    if (config.generateRequestId()) {
      String rid = h.get("x-request-id");
      if (rid == null || rid.isEmpty() || (edge && !config.preserveExternalRequestId())) {
        h.set("x-request-id", randomUuid());
      }
    }
    if (!config.via().isEmpty()) {
      appendVia(h, config.via());
    }
    return new Result(finalRemote, internal, edge);
  }

  /** Applies Envoy's response edits in place, right before the headers go to the client. */
  public static void mutateResponse(HeaderMap h, HcmConfig config, String requestId) {
    for (String hop : HOP_BY_HOP) {
      h.remove(hop);
    }
    h.set("date", DateProvider.now());
    switch (config.serverHeaderTransformation()) {
      case OVERWRITE -> h.set("server", config.serverName());
      case APPEND_IF_ABSENT -> {
        if (!h.contains("server")) {
          h.set("server", config.serverName());
        }
      }
      case PASS_THROUGH -> { }
    }
    if (config.alwaysSetRequestIdInResponse() && requestId != null && !requestId.isEmpty()) {
      h.set("x-request-id", requestId);
    }
    if (!config.via().isEmpty()) {
      appendVia(h, config.via());
    }
  }

  private static void appendXff(HeaderMap h, String ip) {
    String existing = h.get("x-forwarded-for");
    h.set("x-forwarded-for", existing == null || existing.isEmpty() ? ip : existing + "," + ip);
  }

  private static void appendVia(HeaderMap h, String via) {
    String existing = h.get("via");
    h.set("via", existing == null || existing.isEmpty() ? via : existing + "," + via);
  }

  /**
   * The address {@code trustedHops} entries from the right of {@code x-forwarded-for} (Envoy's
   * {@code getLastAddressFromXFF}), or null when there are too few valid entries.
   */
  static Address lastAddressFromXff(HeaderMap h, int trustedHops) {
    String xff = h.get("x-forwarded-for");
    if (xff == null || xff.isEmpty()) {
      return null;
    }
    String[] parts = xff.split(",");
    int idx = parts.length - 1 - trustedHops;
    if (idx < 0) {
      return null;
    }
    String ip = parts[idx].trim();
    if (!dev.xdsdp.xds.resource.endpoint.EndpointResourceType.isIpLiteral(ip)) {
      return null;
    }
    return Address.ofIp(ip, 0);
  }

  private static final List<String> DEFAULT_INTERNAL = List.of("10.", "192.168.", "127.");

  /** Envoy's internal address check: the configured ranges, or private and loopback ranges by default. */
  static boolean isInternal(Address a, List<CidrRange> configured) {
    if (a.isPipe()) {
      return true;
    }
    String ip = a.ip();
    if (configured != null) {
      for (CidrRange r : configured) {
        if (r.contains(ip)) {
          return true;
        }
      }
      return false;
    }
    for (String p : DEFAULT_INTERNAL) {
      if (ip.startsWith(p)) {
        return true;
      }
    }
    if (ip.startsWith("172.")) {
      String[] o = ip.split("\\.");
      if (o.length == 4) {
        int second = Integer.parseInt(o[1]);
        return second >= 16 && second <= 31;
      }
    }
    String lower = ip.toLowerCase(java.util.Locale.ROOT);
    return lower.equals("::1") || lower.equals("0:0:0:0:0:0:0:1") || lower.startsWith("fd") || lower.startsWith("fc");
  }

  /**
   * A version 4 UUID, as Envoy's request ID extension makes. From the thread's own generator:
   * {@link UUID#randomUUID()} draws on one process-wide SecureRandom per request, which showed in
   * profiles, and a request ID needs uniqueness, not secrecy.
   */
  static String randomUuid() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;               // version 4
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(msb, lsb).toString();
  }
}
