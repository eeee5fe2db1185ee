package online.hypermesh.node.local;

import java.nio.file.Path;

/** What the local cluster knows of one node it started: enough for status and down in a later process. */
public record NodeSpec(String name, int index, String host, PortBlock ports, Path dir, long pid) {

  public String stoqEndpoint() {
    return "[" + host + "]:" + ports.stoq();
  }

  public String managementUrl() {
    return "http://[" + host + "]:" + ports.management();
  }

  /**
   * The node's Pekko address: the local cluster runs the stoq cluster transport (pinned in each
   * node.conf), so it is on the STOQ port with Pekko's classic scheme name tcp.
   */
  public String remotingAddress() {
    return "pekko.tcp://HyperMesh@[" + host + "]:" + ports.stoq();
  }

  public Path configFile() {
    return dir.resolve("node.conf");
  }

  public Path logFile() {
    return dir.resolve("node.log");
  }

  public NodeSpec withPid(long newPid) {
    return new NodeSpec(name, index, host, ports, dir, newPid);
  }
}
