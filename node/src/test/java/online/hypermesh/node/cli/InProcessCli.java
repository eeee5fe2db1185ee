package online.hypermesh.node.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Runs the `hypermesh` command in the test's JVM, capturing what it prints. */
public final class InProcessCli {

  public record Result(int code, String out, String err) {
  }

  private InProcessCli() {
  }

  /** {@code args} then {@code common} (connection options); one run at a time, as it swaps System.out. */
  public static synchronized Result run(String[] common, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(common));
    try {
      System.setOut(new PrintStream(outBytes, true));
      System.setErr(new PrintStream(errBytes, true));
      int code = HyperMeshCli.run(all.toArray(String[]::new));
      return new Result(code, outBytes.toString(), errBytes.toString());
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
