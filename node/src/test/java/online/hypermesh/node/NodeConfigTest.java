package online.hypermesh.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeConfigTest {

  @Test
  void theDevConfigurationLoadsWithItsDocumentedDefaults() {
    var config = NodeConfig.fromString("include classpath(\"dev.conf\")");
    assertEquals(8443, config.getInt("hypermesh.stoq.port"));
    assertEquals("::1", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider", config.getString("pekko.cluster.downing-provider-class"));
    assertEquals("pekko.persistence.cassandra.journal", config.getString("pekko.persistence.journal.plugin"));
    assertTrue(config.getString("pekko.management.health-checks.readiness-checks.cassandra").endsWith("CassandraReadyCheck"));
    assertTrue(config.getString("pekko.management.health-checks.readiness-checks.stoq").endsWith("StoqReadyCheck"));
    assertEquals(4 * 1024 * 1024, StoqSettingsFromConfig.read(config).maxFrameBytes());
  }

  @Test
  void everyProblemIsNamedInOneMessage() {
    var error = assertThrows(NodeConfig.InvalidConfigException.class, () -> NodeConfig.fromString(
        "include classpath(\"base.conf\")\n"
            + "hypermesh.node.host = \"10.0.0.1\"\n"
            + "hypermesh.stoq.port = 70000\n"
            + "pekko.cluster.seed-nodes = []\n"));
    assertTrue(error.getMessage().contains("IPv4"), error.getMessage());
    assertTrue(error.getMessage().contains("hypermesh.stoq.port = 70000"), error.getMessage());
    assertTrue(error.getMessage().contains("seed-nodes is empty"), error.getMessage());
  }

  @Test
  void aMissingOrBrokenFileIsAClearError(@TempDir Path dir) throws Exception {
    var missing = assertThrows(NodeConfig.InvalidConfigException.class, () -> NodeConfig.load(dir.resolve("nope.conf")));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

    Path broken = dir.resolve("broken.conf");
    Files.writeString(broken, "include classpath(\"dev.conf\")\nhypermesh.stoq.port = \"eighty\"\n");
    var wrongType = assertThrows(NodeConfig.InvalidConfigException.class, () -> NodeConfig.load(broken));
    assertTrue(wrongType.getMessage().contains("hypermesh.stoq.port"), wrongType.getMessage());
  }

  @Test
  void halfConfiguredTlsIsRefused() {
    var config = NodeConfig.fromString("include classpath(\"dev.conf\")\nhypermesh.stoq.tls.key-file = \"/tmp/key.pem\"");
    assertThrows(NodeConfig.InvalidConfigException.class, () -> StoqSettingsFromConfig.tls(config));
  }

  @Test
  void aNodeWithoutAStoqIdentityDoesNotStart() {
    var config = NodeConfig.fromString("include classpath(\"dev.conf\")");
    var error = assertThrows(NodeConfig.InvalidConfigException.class, () -> StoqSettingsFromConfig.identity(config));
    assertTrue(error.getMessage().contains("required: STOQ authenticates every peer"), error.getMessage());
  }

  @Test
  void anUnreadableIdentityNamesTheFile(@TempDir Path dir) {
    var config = NodeConfig.fromString("include classpath(\"dev.conf\")\n"
        + "hypermesh.stoq.identity { key-file = \"" + dir.resolve("k.pem") + "\", cert-file = \"" + dir.resolve("c.pem")
        + "\", trust-anchor-file = \"" + dir.resolve("ca.pem") + "\" }");
    var error = assertThrows(NodeConfig.InvalidConfigException.class, () -> StoqSettingsFromConfig.identity(config));
    assertTrue(error.getMessage().contains("k.pem"), error.getMessage());
  }
}
