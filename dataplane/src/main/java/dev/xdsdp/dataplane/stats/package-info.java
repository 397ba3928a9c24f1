/**
 * The process-wide stats store with Envoy's names, tags and admin output.
 *
 * <p>{@link dev.xdsdp.dataplane.stats.StatsStore} implements the {@code api} stats interfaces.
 * A component creates its stats once, when its config is built, usually as a
 * {@link dev.xdsdp.dataplane.stats.StatSet} of its stat-name enum ({@code ClusterStatName},
 * {@code HttpConnManagerStatName}, {@code ListenerStatName}, ...) in its Envoy scope
 * ({@code cluster.<name>}, {@code http.<stat_prefix>}, {@code listener.<address>}), and keeps the
 * references. Counters, gauges and histograms are lock-free and safe to update from any event
 * loop; lookups by name are safe from any thread too.
 *
 * <p>The server owns two duties: calling {@link dev.xdsdp.dataplane.stats.StatsStore#mergeHistograms()}
 * on its stats flush timer (Envoy's {@code stats_flush_interval}, 5 s by default), and serving
 * {@code /stats} and {@code /stats/prometheus} through {@link dev.xdsdp.dataplane.stats.StatsAdmin}.
 */
package dev.xdsdp.dataplane.stats;
