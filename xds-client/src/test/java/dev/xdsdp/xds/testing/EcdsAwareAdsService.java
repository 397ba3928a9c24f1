package dev.xdsdp.xds.testing;

import com.google.protobuf.Any;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * java-control-plane's ADS service with ECDS added beside it. java-control-plane 1.0.49 serves
 * Listener, RouteConfiguration, Cluster and ClusterLoadAssignment but refuses
 * {@code TypedExtensionConfig} ("Unsupported API version for type URL"), so requests of that type
 * are answered here, from {@link #setExtensionConfigs}, and every other request goes to
 * java-control-plane unchanged. Both write to the same stream; writes are serialised on the
 * shared response observer, which is also the object java-control-plane locks.
 *
 * <p>The ECDS side follows the protocol's rules: it answers only the current nonce, holds a NACKed
 * version until the configs change (no resend loop), sends SotW responses with the requested names
 * only, and for delta sends changed or newly subscribed resources and {@code removed_resources},
 * honouring {@code initial_resource_versions} after a reconnect.
 */
public final class EcdsAwareAdsService extends AggregatedDiscoveryServiceImplBase {

  public static final String ECDS_TYPE_URL = "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig";

  private final AggregatedDiscoveryServiceImplBase delegate;
  private final List<DiscoveryServerCallbacks> callbacks;
  private final CopyOnWriteArrayList<EcdsStream> streams = new CopyOnWriteArrayList<>();
  private final AtomicLong streamIds = new AtomicLong(1_000_000);
  private volatile Configs configs = new Configs("", Map.of());

  private record Configs(String version, Map<String, TypedExtensionConfig> byName) {}

  public EcdsAwareAdsService(AggregatedDiscoveryServiceImplBase delegate, List<DiscoveryServerCallbacks> callbacks) {
    this.delegate = delegate;
    this.callbacks = List.copyOf(callbacks);
  }

  /** Replaces every ECDS resource; open streams get what changed. */
  public void setExtensionConfigs(String version, List<TypedExtensionConfig> list) {
    Map<String, TypedExtensionConfig> byName = new HashMap<>();
    for (TypedExtensionConfig c : list) {
      byName.put(c.getName(), c);
    }
    configs = new Configs(version, Map.copyOf(byName));
    for (EcdsStream s : streams) {
      s.configsChanged();
    }
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> responses) {
    SerializedObserver<DiscoveryResponse> out = new SerializedObserver<>(responses);
    StreamObserver<DiscoveryRequest> jcp = delegate.streamAggregatedResources(out);
    SotwEcds ecds = new SotwEcds(out);
    return route(jcp, ecds, r -> r.getTypeUrl().equals(ECDS_TYPE_URL));
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    SerializedObserver<DeltaDiscoveryResponse> out = new SerializedObserver<>(responses);
    StreamObserver<DeltaDiscoveryRequest> jcp = delegate.deltaAggregatedResources(out);
    DeltaEcds ecds = new DeltaEcds(out);
    return route(jcp, ecds, r -> r.getTypeUrl().equals(ECDS_TYPE_URL));
  }

  private <Q> StreamObserver<Q> route(StreamObserver<Q> jcp, EcdsStream ecds, java.util.function.Predicate<Q> isEcds) {
    streams.add(ecds);
    return new StreamObserver<>() {
      @Override
      @SuppressWarnings("unchecked")
      public void onNext(Q request) {
        if (isEcds.test(request)) {
          ecds.onRequest(request);
        } else {
          jcp.onNext(request);
        }
      }

      @Override
      public void onError(Throwable t) {
        streams.remove(ecds);
        jcp.onError(t);
      }

      @Override
      public void onCompleted() {
        streams.remove(ecds);
        jcp.onCompleted();
      }
    };
  }

  /** The real response observer behind one lock; the lock object is this wrapper. */
  private static final class SerializedObserver<R> implements StreamObserver<R> {
    private final StreamObserver<R> delegate;
    private boolean done;

    SerializedObserver(StreamObserver<R> delegate) {
      this.delegate = delegate;
      if (delegate instanceof ServerCallStreamObserver<R> s) {
        // With a cancel handler set, writes to a cancelled call are dropped instead of throwing.
        s.setOnCancelHandler(() -> {
          synchronized (this) {
            done = true;
          }
        });
      }
    }

    @Override
    public synchronized void onNext(R value) {
      if (!done) {
        delegate.onNext(value);
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (!done) {
        done = true;
        delegate.onError(t);
      }
    }

    @Override
    public synchronized void onCompleted() {
      if (!done) {
        done = true;
        delegate.onCompleted();
      }
    }
  }

  private interface EcdsStream {
    void onRequest(Object request);

    void configsChanged();
  }

  /** ECDS on one state-of-the-world stream. */
  private final class SotwEcds implements EcdsStream {
    private final SerializedObserver<DiscoveryResponse> out;
    private final long id = streamIds.incrementAndGet();
    private long nonces;
    private String lastNonce = "";
    private DiscoveryRequest last;
    private String nackedVersion;
    private String sentVersion;
    private Set<String> sentNames;

    SotwEcds(SerializedObserver<DiscoveryResponse> out) {
      this.out = out;
    }

    @Override
    public synchronized void onRequest(Object raw) {
      DiscoveryRequest r = (DiscoveryRequest) raw;
      for (DiscoveryServerCallbacks cb : callbacks) {
        try {
          cb.onV3StreamRequest(id, r);
        } catch (Exception e) {
          // Recording callbacks do not throw.
        }
      }
      if (!r.getResponseNonce().isEmpty() && !r.getResponseNonce().equals(lastNonce)) {
        return; // stale
      }
      last = r;
      nackedVersion = r.hasErrorDetail() ? sentVersion : null;
      maybeRespond(false);
    }

    @Override
    public synchronized void configsChanged() {
      maybeRespond(true);
    }

    private void maybeRespond(boolean changed) {
      if (last == null) {
        return;
      }
      Configs c = configs;
      Set<String> names = new TreeSet<>(last.getResourceNamesList());
      boolean newNames = sentNames == null || !sentNames.containsAll(names);
      boolean newVersion = !c.version().equals(last.getVersionInfo()) && !c.version().equals(nackedVersion);
      if (!changed && !newNames && !newVersion) {
        return;
      }
      if (changed && c.version().equals(sentVersion) && !newNames) {
        return;
      }
      if (c.version().isEmpty() && c.byName().isEmpty()) {
        return;
      }
      DiscoveryResponse.Builder b = DiscoveryResponse.newBuilder()
          .setTypeUrl(ECDS_TYPE_URL).setVersionInfo(c.version()).setNonce("ecds-" + (++nonces));
      for (String n : names) {
        TypedExtensionConfig t = c.byName().get(n);
        if (t != null) {
          b.addResources(Any.pack(t));
        }
      }
      DiscoveryResponse resp = b.build();
      lastNonce = resp.getNonce();
      sentVersion = c.version();
      sentNames = names;
      for (DiscoveryServerCallbacks cb : callbacks) {
        cb.onV3StreamResponse(id, last, resp);
      }
      out.onNext(resp);
    }
  }

  /** ECDS on one incremental stream. */
  private final class DeltaEcds implements EcdsStream {
    private final SerializedObserver<DeltaDiscoveryResponse> out;
    private final long id = streamIds.incrementAndGet();
    private long nonces;
    private final Set<String> subscribed = new HashSet<>();
    /** What the client holds, by name: the version we (or its initial_resource_versions) said. */
    private final Map<String, String> clientHas = new HashMap<>();
    private final Set<String> mustAnswer = new HashSet<>();
    private boolean first = true;
    private DeltaDiscoveryRequest last;

    DeltaEcds(SerializedObserver<DeltaDiscoveryResponse> out) {
      this.out = out;
    }

    @Override
    public synchronized void onRequest(Object raw) {
      DeltaDiscoveryRequest r = (DeltaDiscoveryRequest) raw;
      for (DiscoveryServerCallbacks cb : callbacks) {
        try {
          cb.onV3StreamDeltaRequest(id, r);
        } catch (Exception e) {
          // Recording callbacks do not throw.
        }
      }
      last = r;
      if (first) {
        clientHas.putAll(r.getInitialResourceVersionsMap());
        first = false;
      }
      for (String n : r.getResourceNamesUnsubscribeList()) {
        subscribed.remove(n);
        clientHas.remove(n);
      }
      for (String n : r.getResourceNamesSubscribeList()) {
        subscribed.add(n);
        // After a reconnect, what the client says it holds is not sent again unless it changed.
        if (!r.getInitialResourceVersionsMap().containsKey(n)) {
          mustAnswer.add(n);
        }
      }
      if (r.hasErrorDetail()) {
        return; // hold the rejected version until the configs change
      }
      respond();
    }

    @Override
    public synchronized void configsChanged() {
      respond();
    }

    private void respond() {
      if (last == null) {
        return;
      }
      Configs c = configs;
      DeltaDiscoveryResponse.Builder b = DeltaDiscoveryResponse.newBuilder()
          .setTypeUrl(ECDS_TYPE_URL).setSystemVersionInfo(c.version());
      for (String n : new TreeSet<>(subscribed)) {
        TypedExtensionConfig t = c.byName().get(n);
        String has = clientHas.get(n);
        if (t != null) {
          if (!c.version().equals(has) || mustAnswer.contains(n)) {
            b.addResources(Resource.newBuilder().setName(n).setVersion(c.version()).setResource(Any.pack(t)));
            clientHas.put(n, c.version());
          }
        } else if (has != null) {
          // Only real deletions: a name that never existed is left unanswered, so a listener
          // waiting on it keeps warming until its initial_fetch_timeout.
          b.addRemovedResources(n);
          clientHas.remove(n);
        }
      }
      mustAnswer.clear();
      if (b.getResourcesCount() == 0 && b.getRemovedResourcesCount() == 0) {
        return;
      }
      DeltaDiscoveryResponse resp = b.setNonce("ecds-" + (++nonces)).build();
      for (DiscoveryServerCallbacks cb : callbacks) {
        cb.onV3StreamDeltaResponse(id, last, resp);
      }
      out.onNext(resp);
    }
  }
}
