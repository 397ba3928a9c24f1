package dev.xdsdp.dataplane.admin;

import com.google.protobuf.Message;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * Envoy's {@code ConfigTracker}: the sources of {@code /config_dump}, one per key. Each source
 * returns one section ({@code ClustersConfigDump}, {@code ListenersConfigDump}, ...), and the
 * dump lists the sections in key order, which is how Envoy orders them: {@code bootstrap},
 * {@code clusters}, {@code ecds_filter_http}, {@code endpoint} (only with {@code include_eds}),
 * {@code listeners}, {@code route_scopes}, {@code routes}, {@code secrets}.
 *
 * <p>The component that owns a kind of config registers its source: {@link StaticConfigDumps}
 * registers the bootstrap's; the xDS client replaces {@link #CLUSTERS}, {@link #LISTENERS} and
 * {@link #ROUTES} with sources that add the dynamic resources (version_info, last_updated,
 * error_state, client_status), and adds {@link #ECDS_FILTER_HTTP} for its
 * {@code EcdsConfigDump}. Thread-safe; sources are called on admin worker threads.
 */
public final class ConfigTracker {

  public static final String BOOTSTRAP = "bootstrap";
  public static final String CLUSTERS = "clusters";
  public static final String ECDS_FILTER_HTTP = "ecds_filter_http";
  /** Added by the admin server itself for {@code ?include_eds}; not registrable. */
  public static final String ENDPOINT = "endpoint";
  public static final String LISTENERS = "listeners";
  public static final String ROUTE_SCOPES = "route_scopes";
  public static final String ROUTES = "routes";
  public static final String SECRETS = "secrets";

  /** Produces one section of the config dump. */
  @FunctionalInterface
  public interface Source {
    /**
     * @param nameMatcher the {@code ?name_regex} filter (a full match), true for every name when
     *     absent: keep only the resources whose name it accepts
     */
    Message dump(Predicate<String> nameMatcher);
  }

  /** A registration; closing it removes the source if it is still the registered one. */
  public interface Entry extends AutoCloseable {
    @Override
    void close();
  }

  private final Map<String, Source> sources = new ConcurrentSkipListMap<>();

  /**
   * Registers {@code source} under {@code key}.
   *
   * @throws IllegalStateException when the key is taken (as Envoy, which refuses a second entry)
   */
  public Entry add(String key, Source source) {
    checkKey(key);
    Objects.requireNonNull(source, "source");
    if (sources.putIfAbsent(key, source) != null) {
      throw new IllegalStateException("config tracker key '" + key + "' is already registered");
    }
    return () -> sources.remove(key, source);
  }

  /** Registers {@code source} under {@code key}, replacing what was there. */
  public Entry put(String key, Source source) {
    checkKey(key);
    Objects.requireNonNull(source, "source");
    sources.put(key, source);
    return () -> sources.remove(key, source);
  }

  /** The source registered under {@code key}, or null; to wrap it in a richer one. */
  public Source get(String key) {
    return sources.get(key);
  }

  /** A snapshot of the sources in dump order. */
  public SortedMap<String, Source> sources() {
    return Collections.unmodifiableSortedMap(new TreeMap<>(sources));
  }

  private static void checkKey(String key) {
    if (key == null || key.isEmpty() || key.equals(ENDPOINT)) {
      throw new IllegalArgumentException("invalid config tracker key '" + key + "'");
    }
  }
}
