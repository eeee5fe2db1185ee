package online.hypermesh.node;

import java.nio.file.Path;

/**
 * Runs one node: {@code Main --config FILE}. The same as {@code hypermesh node --config FILE};
 * kept as its own entry point so containers need no CLI.
 */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length != 2 || !args[0].equals("--config")) {
      System.err.println("usage: Main --config FILE");
      System.exit(2);
    }
    try {
      Node.fromFile(Path.of(args[1])).awaitTermination();
    } catch (NodeConfig.InvalidConfigException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(78);
    }
  }
}
