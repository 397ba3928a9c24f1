package dev.xdsdp.dataplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import org.junit.jupiter.api.Test;

class RedactionTest {

  static ConfigDump dumpWithKey(DataSource key) {
    UpstreamTlsContext tls = UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(CommonTlsContext.newBuilder().addTlsCertificates(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineString("CHAIN"))
            .setPrivateKey(key)))
        .setSni("backend.example")
        .build();
    Cluster cluster = Cluster.newBuilder()
        .setName("tls")
        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
            .setTypedConfig(Any.pack(tls)))
        .build();
    return ConfigDump.newBuilder()
        .addConfigs(Any.pack(ClustersConfigDump.newBuilder()
            .addStaticClusters(ClustersConfigDump.StaticCluster.newBuilder().setCluster(Any.pack(cluster)))
            .build()))
        .build();
  }

  static TlsCertificate certificateOf(ConfigDump dump) throws Exception {
    Cluster c = dump.getConfigs(0).unpack(ClustersConfigDump.class).getStaticClusters(0).getCluster()
        .unpack(Cluster.class);
    UpstreamTlsContext tls = c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertEquals("backend.example", tls.getSni());
    return tls.getCommonTlsContext().getTlsCertificates(0);
  }

  @Test
  void redactsSensitiveFieldsThroughNestedAnys() throws Exception {
    Redaction redaction = new Redaction();
    ConfigDump redacted = redaction.redact(dumpWithKey(DataSource.newBuilder().setInlineString("KEY").build()));
    TlsCertificate cert = certificateOf(redacted);
    assertEquals("[redacted]", cert.getPrivateKey().getInlineString());
    assertEquals("CHAIN", cert.getCertificateChain().getInlineString());
    assertTrue(redaction.anyTypes().contains(UpstreamTlsContext.getDescriptor()));
    assertTrue(redaction.anyTypes().contains(Cluster.getDescriptor()));
    assertTrue(redaction.anyTypes().contains(ClustersConfigDump.getDescriptor()));
  }

  @Test
  void bytesBecomeRedactedAndOtherValuesAreCleared() throws Exception {
    ConfigDump redacted = new Redaction().redact(dumpWithKey(DataSource.newBuilder()
        .setInlineBytes(ByteString.copyFromUtf8("KEYBYTES")).build()));
    assertEquals("[redacted]", certificateOf(redacted).getPrivateKey().getInlineBytes().toStringUtf8());

    // Everything below a sensitive field goes: here the whole DataSource, whichever member is set.
    TlsCertificate viaFile = TlsCertificate.newBuilder()
        .setPrivateKey(DataSource.newBuilder().setFilename("/etc/key.pem"))
        .build();
    assertEquals("[redacted]", new Redaction().redact(viaFile).getPrivateKey().getFilename());
  }

  @Test
  void nothingSensitiveMeansTheSameObject() {
    Cluster plain = Cluster.newBuilder().setName("plain").build();
    assertSame(plain, new Redaction().redact(plain));
    assertFalse(Redaction.worthWalking(io.envoyproxy.envoy.config.core.v3.SocketAddress.getDescriptor()));
    assertTrue(Redaction.worthWalking(Cluster.getDescriptor()));
  }

  @Test
  void unknownAnyTypesAreReportedAndKept() {
    Any unknown = Any.newBuilder().setTypeUrl("type.googleapis.com/not.a.Type").setValue(ByteString.copyFromUtf8("x"))
        .build();
    ConfigDump dump = ConfigDump.newBuilder().addConfigs(unknown).build();
    Redaction redaction = new Redaction();
    assertSame(dump, redaction.redact(dump));
    assertTrue(redaction.unresolved().contains("type.googleapis.com/not.a.Type"));
  }
}
