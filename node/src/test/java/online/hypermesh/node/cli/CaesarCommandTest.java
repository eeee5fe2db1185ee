package online.hypermesh.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CAES amounts on the command line: decimal CAES in, integer minor units on the wire. */
class CaesarCommandTest {

  @Test
  void amountsAreExactCaesWithAtMostEightDecimals() {
    assertEquals(1_250_000_000L, CaesarCommand.units("12.5"));
    assertEquals(1L, CaesarCommand.units("0.00000001"));
    assertEquals(Long.MAX_VALUE, CaesarCommand.units("92233720368.54775807"));
    assertEquals("12.5", CaesarCommand.caes(1_250_000_000L));
    assertEquals("0.00000001", CaesarCommand.caes(1));
    assertEquals("0", CaesarCommand.caes(0));
    assertEquals("1000", CaesarCommand.caes(100_000_000_000L));
    for (String bad : new String[] {"0", "-1", "0.000000001", "1e300", "12,5", "ten",
        "92233720368.54775808"}) {
      CliException e = assertThrows(CliException.class, () -> CaesarCommand.units(bad), bad);
      assertTrue(e.getMessage().contains("--amount"), e.getMessage());
    }
  }

  /** Bad bridge arguments are refused with a reason and usage exit code, before any connection. */
  @Test
  void bridgeArgumentsAreCheckedBeforeAnythingIsSent(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    String[] common = {"--node", "[::1]:9", "--identity", dir.toString()};
    InProcessCli.Result chain = InProcessCli.run(common, "caesar", "bridge", "lock", "--chain",
        "abcd", "--to", "ab".repeat(32), "--amount", "1");
    assertEquals(2, chain.code(), chain.out() + chain.err());
    assertTrue(chain.err().contains("--chain must be 64 hex digits"), chain.err());
    InProcessCli.Result to = InProcessCli.run(common, "caesar", "bridge", "burn", "--chain",
        "ab".repeat(32), "--to", "xyz", "--amount", "1");
    assertEquals(2, to.code(), to.out() + to.err());
    assertTrue(to.err().contains("--to must be 64 hex digits"), to.err());
    java.nio.file.Path notAProof = dir.resolve("not-a-proof");
    java.nio.file.Files.writeString(notAProof, "hello");
    InProcessCli.Result redeem = InProcessCli.run(common, "caesar", "bridge", "redeem",
        notAProof.toString());
    assertEquals(2, redeem.code(), redeem.out() + redeem.err());
    assertTrue(redeem.err().contains("is not a bridge proof"), redeem.err());
    InProcessCli.Result genesis = InProcessCli.run(common, "caesar", "bridge", "register",
        "--genesis", notAProof.toString());
    assertEquals(2, genesis.code(), genesis.out() + genesis.err());
    assertTrue(genesis.err().contains("--genesis"), genesis.err());
  }

  /** `bridge follow` refuses a bad epoch, wait or missing source before any connection. */
  @Test
  void followArgumentsAreCheckedBeforeAnythingIsSent(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    String[] common = {"--node", "[::1]:9", "--identity", dir.toString()};
    for (String epoch : new String[] {"0", "-3"}) {
      InProcessCli.Result r = InProcessCli.run(common, "caesar", "bridge", "follow", "--from",
          "[::1]:9", "--epoch", epoch);
      assertEquals(2, r.code(), r.out() + r.err());
      assertTrue(r.err().contains("--epoch must be 1 or more") && r.err().contains(epoch),
          r.err());
    }
    InProcessCli.Result word = InProcessCli.run(common, "caesar", "bridge", "follow", "--from",
        "[::1]:9", "--epoch", "first");
    assertEquals(2, word.code(), word.out() + word.err());
    assertTrue(word.err().contains("--epoch"), word.err());
    InProcessCli.Result wait = InProcessCli.run(common, "caesar", "bridge", "follow", "--from",
        "[::1]:9", "--wait", "-1");
    assertEquals(2, wait.code(), wait.out() + wait.err());
    assertTrue(wait.err().contains("--wait must be 0 or more"), wait.err());
    InProcessCli.Result from = InProcessCli.run(common, "caesar", "bridge", "follow");
    assertEquals(2, from.code(), from.out() + from.err());
    assertTrue(from.err().contains("--from"), from.err());
  }
}
