package dev.xdsdp.dataplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigTrackerTest {

  @Test
  void sourcesComeInEnvoysKeyOrder() {
    ConfigTracker t = new ConfigTracker();
    for (String key : List.of(ConfigTracker.SECRETS, ConfigTracker.ROUTES, ConfigTracker.LISTENERS,
        ConfigTracker.ROUTE_SCOPES, ConfigTracker.ECDS_FILTER_HTTP, ConfigTracker.CLUSTERS, ConfigTracker.BOOTSTRAP)) {
      t.add(key, m -> ClustersConfigDump.getDefaultInstance());
    }
    assertEquals(List.of("bootstrap", "clusters", "ecds_filter_http", "listeners", "route_scopes", "routes", "secrets"),
        List.copyOf(t.sources().keySet()));
  }

  @Test
  void addRefusesATakenKeyPutReplacesAndEntriesRemoveOnlyTheirOwn() {
    ConfigTracker t = new ConfigTracker();
    ConfigTracker.Source first = m -> ClustersConfigDump.getDefaultInstance();
    ConfigTracker.Source second = m -> ListenersConfigDump.getDefaultInstance();
    ConfigTracker.Entry firstEntry = t.add("clusters", first);
    assertThrows(IllegalStateException.class, () -> t.add("clusters", second));
    assertThrows(IllegalArgumentException.class, () -> t.add(ConfigTracker.ENDPOINT, first));
    ConfigTracker.Entry secondEntry = t.put("clusters", second);
    assertSame(second, t.get("clusters"));
    firstEntry.close();
    assertSame(second, t.get("clusters"));
    secondEntry.close();
    assertNull(t.get("clusters"));
  }
}
