package online.hypermesh.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import online.hypermesh.node.NodeConfig;
import org.junit.jupiter.api.Test;

/** hypermesh.node.canonical-host: the host of the cluster address, apart from the host clients and DNS use. */
class CanonicalHostConfigTest {

  private static final String POD = "hypermesh-0.hypermesh-nodes.prod.svc.cluster.local";

  @Test
  void kubernetesRunsTheClusterOverStoqUnderThePodsName() {
    Config config = NodeConfig.fromString("include classpath(\"kubernetes.conf\")\n"
        + "hypermesh.node.host = \"2001:db8::5\"\n"
        + "hypermesh.node.canonical-host = \"" + POD + "\"\n");
    ClusterTransport transport = ClusterTransport.of(config);
    assertTrue(transport.stoq(), transport.name());
    Config system = transport.systemConfig(config, null);
    assertEquals(POD, system.getString("pekko.remote.classic.stoq.hostname"));
    assertEquals(POD, system.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals("2001:db8::5", system.getString("pekko.management.http.hostname"));
    // Pod names are issued under the cluster's service domain (`hypermesh pki kubernetes`).
    assertEquals("svc.cluster.local", config.getString("hypermesh.trustchain.dns-suffix"));
  }

  @Test
  void byDefaultItIsTheNodesHost() {
    Config config = NodeConfig.fromString("include classpath(\"dev.conf\")\nhypermesh.node.host = \"2001:db8::6\"\n");
    assertEquals("2001:db8::6", config.getString("hypermesh.node.canonical-host"));
    assertEquals("2001:db8::6", config.getString("pekko.remote.classic.stoq.hostname"));
  }

  @Test
  void anIpv4CanonicalHostIsRefused() {
    var error = assertThrows(NodeConfig.InvalidConfigException.class, () -> NodeConfig.fromString(
        "include classpath(\"dev.conf\")\nhypermesh.node.canonical-host = \"192.0.2.1\"\n"));
    assertTrue(error.getMessage().contains("hypermesh.node.canonical-host = 192.0.2.1 is IPv4"), error.getMessage());
  }
}
