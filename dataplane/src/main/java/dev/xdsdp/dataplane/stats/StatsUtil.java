package dev.xdsdp.dataplane.stats;

/** Envoy's rules for turning config values into stat name segments. */
public final class StatsUtil {

  private StatsUtil() {}

  /**
   * Envoy's {@code Stats::Utility::sanitizeStatsName}: drops one leading and one trailing dot and
   * replaces {@code ://}, {@code :/}, {@code :} and NUL with {@code _}, so an address such as
   * {@code 0.0.0.0:8080} becomes {@code 0.0.0.0_8080}.
   */
  public static String sanitizeStatsName(String name) {
    String n = name;
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    if (n.startsWith(".")) {
      n = n.substring(1);
    }
    return n.replace("://", "_").replace(":/", "_").replace(":", "_").replace("\0", "_");
  }

  /**
   * The scope name of a listener bound to an IP and port: {@code listener.0.0.0.0_8080},
   * {@code listener.[__]_8080} for {@code [::]:8080}. A listener with a {@code stat_prefix} uses
   * {@code listener.<stat_prefix>} instead.
   */
  public static String listenerScopeName(String ip, int port) {
    String host = ip.contains(":") && !ip.startsWith("[") ? "[" + ip + "]" : ip;
    return "listener." + sanitizeStatsName(host + ":" + port);
  }

  /** {@code cluster.<name>}, the scope of a cluster's stats ({@code alt_stat_name} may replace the name). */
  public static String clusterScopeName(String clusterName) {
    return "cluster." + sanitizeStatsName(clusterName);
  }

  /** {@code http.<stat_prefix>}, the scope of an HTTP connection manager's stats. */
  public static String httpScopeName(String statPrefix) {
    return "http." + statPrefix;
  }
}
