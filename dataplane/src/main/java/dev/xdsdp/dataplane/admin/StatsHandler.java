package dev.xdsdp.dataplane.admin;

import dev.xdsdp.dataplane.stats.StatsAdmin;
import dev.xdsdp.dataplane.stats.StatsResponse;
import java.util.List;

/**
 * {@code /stats}, {@code /stats/prometheus} (rendered by {@link StatsAdmin} from the raw query) and
 * {@code /reset_counters}. Histograms are merged first, so that their statistics include what was
 * recorded up to the request.
 */
final class StatsHandler {

  private final AdminContext context;

  StatsHandler(AdminContext context) {
    this.context = context;
  }

  List<AdminEndpoint> endpoints() {
    return List.of(
        AdminEndpoint.get("/stats", "print server stats", this::stats,
            AdminEndpoint.Param.of("usedonly", "Only stats that have been written since the start"),
            AdminEndpoint.Param.of("filter", "A regular expression (RE2) the stat names must contain"),
            AdminEndpoint.Param.oneOf("format", "The output format", "text", "json", "prometheus"),
            AdminEndpoint.Param.oneOf("type", "The stat types to show", "All", "Counters", "Gauges", "Histograms",
                "TextReadouts"),
            AdminEndpoint.Param.oneOf("histogram_buckets", "How to show histogram buckets", "cumulative",
                "disjoint", "detailed", "summary")),
        AdminEndpoint.get("/stats/prometheus", "print server stats in prometheus format", this::prometheus,
            AdminEndpoint.Param.of("usedonly", "Only stats that have been written since the start"),
            AdminEndpoint.Param.of("text_readouts", "Also show text readouts, as gauges of value 0"),
            AdminEndpoint.Param.of("filter", "A regular expression (RE2) the stat names must contain"),
            AdminEndpoint.Param.oneOf("histogram_buckets", "How to show histogram buckets", "cumulative",
                "summary")),
        AdminEndpoint.post("/reset_counters", "reset all counters to zero", this::resetCounters));
  }

  AdminResponse stats(AdminRequest request) {
    context.statsStore().mergeHistograms();
    return of(new StatsAdmin(context.statsStore()).stats(request.query()));
  }

  AdminResponse prometheus(AdminRequest request) {
    context.statsStore().mergeHistograms();
    return of(new StatsAdmin(context.statsStore()).prometheus(request.query()));
  }

  AdminResponse resetCounters(AdminRequest request) {
    context.resetCounters();
    return AdminResponse.ok("OK\n");
  }

  private static AdminResponse of(StatsResponse r) {
    return new AdminResponse(r.status(), r.contentType(), r.body(), null);
  }
}
