package online.hypermesh.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `hypermesh` command. Every failure ends as one line on stderr and a non-zero exit code. */
@Command(name = "hypermesh", mixinStandardHelpOptions = true, version = "hypermesh 0.1.0",
    description = "Run and use a HyperMesh cluster.",
    subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, NodeCommand.class, AssetCommand.class, CaCommand.class, CtCommand.class, DnsCommand.class, ChainCommand.class, CaesarCommand.class,
        PkiCommand.class,
        CommandLine.HelpCommand.class})
public final class HyperMeshCli {

  /** Exit codes beyond picocli's 0 (ok), 1 (failure) and 2 (usage). */
  public static final int EXIT_REJECTED = 1;
  public static final int EXIT_UNREACHABLE = 3;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return new CommandLine(new HyperMeshCli())
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          if (e instanceof CliException cli) {
            commandLine.getErr().println("error: " + cli.getMessage());
            return cli.exitCode();
          }
          commandLine.getErr().println("error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
          return 1;
        })
        .execute(args);
  }
}
