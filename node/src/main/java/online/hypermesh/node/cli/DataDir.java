package online.hypermesh.node.cli;

import java.nio.file.Path;

/** The default data folder: .hypermesh beside the `hypermesh` script (the repo root), or the working directory. */
final class DataDir {

  private DataDir() {
  }

  static Path defaultDir() {
    return Path.of(System.getProperty("hypermesh.home", ".")).resolve(".hypermesh").toAbsolutePath().normalize();
  }

  static Path cassandraDir(Path dataDir) {
    return dataDir.resolve("cassandra");
  }
}
