package online.hypermesh.node.cli;

import online.hypermesh.node.Node;
import online.hypermesh.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "node", description = "Run one node in the foreground (the production entry point, used by deploy/).")
final class NodeCommand implements Callable<Integer> {

  @Option(names = "--config", required = true, description = "HOCON file of this node; it usually includes a file of cluster-config/ (dev.conf, kubernetes.conf, multi-region.conf).")
  Path config;

  @Override
  public Integer call() {
    try {
      Node.fromFile(config).awaitTermination();
      return 0;
    } catch (NodeConfig.InvalidConfigException e) {
      throw new CliException(e.getMessage(), 78);
    }
  }
}
