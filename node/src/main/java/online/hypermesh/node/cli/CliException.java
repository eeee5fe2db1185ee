package online.hypermesh.node.cli;

/** A failure the user should read as one line: what went wrong and, where possible, what to do. */
final class CliException extends RuntimeException {

  private final int exitCode;

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  CliException(String message) {
    this(message, 1);
  }

  int exitCode() {
    return exitCode;
  }
}
