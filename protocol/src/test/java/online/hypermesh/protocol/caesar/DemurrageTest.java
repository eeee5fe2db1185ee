package online.hypermesh.protocol.caesar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DemurrageTest {

  private static final long FIVE_PERCENT = 50_000_000L;
  private static final long DAY = 86_400_000L;

  @Test
  void oneYearAtFivePercentKeepsOneUnitLessThanNinetyFivePercentBecauseTheFactorRoundsDown() {
    Demurrage d = new Demurrage(FIVE_PERCENT, 0);
    // b * 0.95 is an integer here: the factor is strictly below 0.95, so floor lands one below.
    assertEquals(949_999_999L, d.apply(1_000_000_000L, Demurrage.YEAR_MILLIS));
    assertEquals(950_000_000L, ExactDecay.kept(FIVE_PERCENT, 0, 1_000_000_000L,
        Demurrage.YEAR_MILLIS));
    // Not an integer product: exactly the floor.
    assertEquals(ExactDecay.kept(FIVE_PERCENT, 0, 1_234_567_891L, Demurrage.YEAR_MILLIS),
        d.apply(1_234_567_891L, Demurrage.YEAR_MILLIS));
  }

  @Test
  void factorIsBelowTheExactFactorByLessThanTwoToTheMinus120() {
    BigDecimal bound = BigDecimal.ONE.divide(new BigDecimal(java.math.BigInteger.TWO.pow(120)));
    for (long rate : new long[] {1, 7, FIVE_PERCENT, 123_456_789, Demurrage.MAX_RATE_PPB}) {
      Demurrage d = new Demurrage(rate, 0);
      for (long t : new long[] {1, 999, DAY, 30 * DAY, Demurrage.YEAR_MILLIS, 7 * Demurrage.YEAR_MILLIS + 12345}) {
        BigDecimal exact = ExactDecay.factor(rate, t);
        BigDecimal computed = ExactDecay.scaled(d.factor(t));
        BigDecimal gap = exact.subtract(computed);
        assertTrue(gap.signum() > 0, "rate " + rate + " t " + t + ": " + computed + " vs " + exact);
        assertTrue(gap.compareTo(bound) < 0, "rate " + rate + " t " + t + " gap " + gap);
      }
    }
  }

  @Test
  void randomBalancesMatchTheExactFloorOrOneUnitBelow() {
    SplittableRandom rnd = new SplittableRandom(42);
    int exact = 0;
    int samples = 400;
    for (int i = 0; i < samples; i++) {
      long rate = rnd.nextLong(0, Demurrage.MAX_RATE_PPB + 1);
      long exempt = rnd.nextBoolean() ? 0 : rnd.nextLong(0, 1_000_000);
      long balance = rnd.nextLong(0, Long.MAX_VALUE);
      long t = rnd.nextLong(0, 20 * Demurrage.YEAR_MILLIS);
      long expected = ExactDecay.kept(rate, exempt, balance, t);
      long actual = new Demurrage(rate, exempt).apply(balance, t);
      assertTrue(actual == expected || actual == expected - 1,
          "rate " + rate + " exempt " + exempt + " b " + balance + " t " + t + ": " + actual
              + " vs exact floor " + expected);
      if (actual == expected) {
        exact++;
      }
    }
    // One below happens only when the exact value is within 2^-58 above an integer.
    assertTrue(exact >= samples - 2, exact + " of " + samples + " exact");
  }

  @Test
  void zeroRateNeverDecaysAndTheExemptTierNeverDecays() {
    Demurrage none = new Demurrage(0, 0);
    assertEquals(Long.MAX_VALUE, none.apply(Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(Demurrage.ONE, none.factor(123));
    Demurrage tiered = new Demurrage(Demurrage.MAX_RATE_PPB, 1_000);
    assertEquals(999, tiered.apply(999, 100 * Demurrage.YEAR_MILLIS));
    assertEquals(1_000, tiered.apply(1_000, 100 * Demurrage.YEAR_MILLIS));
    // Only the excess decays: half of 2000 a year at 50%.
    assertEquals(1_000 + 999, tiered.apply(3_000, Demurrage.YEAR_MILLIS));
    assertEquals(1_000, tiered.apply(1_000_000, 200 * Demurrage.YEAR_MILLIS));
  }

  @Test
  void neverNegativeNeverMoreAndMonotoneInTime() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      Demurrage d = new Demurrage(rnd.nextLong(1, Demurrage.MAX_RATE_PPB + 1), rnd.nextLong(0, 100));
      long b = rnd.nextLong(0, Long.MAX_VALUE);
      long t1 = rnd.nextLong(0, 5 * Demurrage.YEAR_MILLIS);
      long t2 = t1 + rnd.nextLong(0, 3) * rnd.nextLong(0, DAY);
      long k1 = d.apply(b, t1);
      long k2 = d.apply(b, t2);
      assertTrue(k1 >= 0 && k1 <= b, "kept " + k1 + " of " + b);
      assertTrue(k2 <= k1, "b " + b + ": " + k1 + " at " + t1 + " but " + k2 + " at " + t2);
      assertTrue(d.factor(t1 + 1).compareTo(d.factor(t1)) < 0, "factor strictly decreasing");
    }
    assertEquals(0, new Demurrage(Demurrage.MAX_RATE_PPB, 0).apply(Long.MAX_VALUE, Long.MAX_VALUE));
  }

  @Test
  void splittingAnIntervalKeepsAtMostTheExactFloorAndAtLeastTwoUnitsLess() {
    SplittableRandom rnd = new SplittableRandom(99);
    for (int i = 0; i < 300; i++) {
      long rate = rnd.nextLong(1, Demurrage.MAX_RATE_PPB + 1);
      Demurrage d = new Demurrage(rate, 0);
      long b = rnd.nextLong(0, Long.MAX_VALUE);
      long a = rnd.nextLong(0, 2 * Demurrage.YEAR_MILLIS);
      long c = rnd.nextLong(0, 2 * Demurrage.YEAR_MILLIS);
      long split = d.apply(d.apply(b, a), c);
      long single = d.apply(b, a + c);
      long exact = ExactDecay.kept(rate, 0, b, a + c);
      assertTrue(split <= exact && split >= exact - 2,
          "split " + split + " single " + single + " exact " + exact);
      assertTrue(single <= exact && single >= exact - 1);
    }
  }

  @Test
  void refusesOutOfRangeInputs() {
    assertThrows(IllegalArgumentException.class, () -> new Demurrage(-1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new Demurrage(Demurrage.MAX_RATE_PPB + 1, 0));
    Demurrage d = new Demurrage(FIVE_PERCENT, 0);
    assertThrows(IllegalArgumentException.class, () -> d.apply(-1, 5));
    assertThrows(IllegalArgumentException.class, () -> d.apply(5, -1));
  }
}
