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
}
