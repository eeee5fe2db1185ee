package online.hypermesh.protocol.caesar;

import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Continuous decay of a liquid balance, in integers only (see package-info for the rule).
 *
 * <p>The kept fraction after {@code t} ms is F(t) = (1 - r)^(t / Y), r the yearly rate and Y the
 * Julian year. It is evaluated from a table of F(2^k ms), k = 0..62, as 2^-128 fixed-point values
 * rounded strictly down: {@code t} is taken bit by bit from the highest, each product truncated.
 * So the computed F' is never above F and below it by less than 2^-121, and the kept balance
 * {@code E + floor((b - E) * F')} is {@code floor} of the exact value or one unit below it (the
 * latter only when the exact value is within 2^-58 above an integer, since b < 2^63).
 *
 * <p>The table is computed once at 256 bits: -ln(1 - r) by its power series (r <= 1/2), F(1 ms)
 * by the exponential series, then squared 62 times. Its error (below 2^-180) is far under one
 * 2^-128 step, which is why rounding each entry down and subtracting one step makes it an
 * underestimate. Thread-safe; the only mutable part is a small cache of recent factors (a ledger
 * reads many accounts at one block time, so the same elapsed times recur).
 */
public final class Demurrage {

  /** 365.25 days. */
  public static final long YEAR_MILLIS = 31_557_600_000L;
  public static final long PPB = 1_000_000_000L;
  /** The series for ln(1 - r) converges by at least one bit per term up to here. */
  public static final long MAX_RATE_PPB = PPB / 2;

  static final int SCALE = 128;
  static final BigInteger ONE = BigInteger.ONE.shiftLeft(SCALE);
  private static final int WORK = 256;
  private static final BigInteger WORK_ONE = BigInteger.ONE.shiftLeft(WORK);
  private static final int BITS = 63;

  private final long ratePpb;
  private final long exemptUnits;
  private static final int CACHE = 4096;

  private final BigInteger[] table;
  private final Map<Long, BigInteger> recent = Collections.synchronizedMap(
      new LinkedHashMap<>(CACHE * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, BigInteger> eldest) {
          return size() > CACHE;
        }
      });

  public Demurrage(long ratePpb, long exemptUnits) {
    if (ratePpb < 0 || ratePpb > MAX_RATE_PPB) {
      throw new IllegalArgumentException(
          "rate must be within 0.." + MAX_RATE_PPB + " ppb, not " + ratePpb);
    }
    if (exemptUnits < 0) {
      throw new IllegalArgumentException("exempt units must be >= 0, not " + exemptUnits);
    }
    this.ratePpb = ratePpb;
    this.exemptUnits = exemptUnits;
    this.table = ratePpb == 0 ? new BigInteger[0] : table(ratePpb);
  }

  public static Demurrage of(CaesarParameters p) {
    return new Demurrage(p.demurrageRatePpb(), p.demurrageExemptUnits());
  }

  public long ratePpb() {
    return ratePpb;
  }

  public long exemptUnits() {
    return exemptUnits;
  }

  /** What is left of {@code balance} after {@code elapsedMillis}: never negative, never more. */
  public long apply(long balance, long elapsedMillis) {
    if (balance < 0 || elapsedMillis < 0) {
      throw new IllegalArgumentException(
          "balance and elapsed time must be >= 0, not " + balance + " / " + elapsedMillis);
    }
    if (ratePpb == 0 || elapsedMillis == 0 || balance <= exemptUnits) {
      return balance;
    }
    long excess = balance - exemptUnits;
    long kept = BigInteger.valueOf(excess).multiply(factor(elapsedMillis)).shiftRight(SCALE)
        .longValueExact();
    return exemptUnits + kept;
  }

  /** F'(t) in units of 2^-128: the kept fraction, rounded down. */
  public BigInteger factor(long elapsedMillis) {
    if (elapsedMillis < 0) {
      throw new IllegalArgumentException("elapsed time must be >= 0, not " + elapsedMillis);
    }
    if (ratePpb == 0) {
      return ONE;
    }
    BigInteger cached = recent.get(elapsedMillis);
    if (cached != null) {
      return cached;
    }
    BigInteger f = ONE;
    for (int k = BITS - 1; k >= 0 && f.signum() > 0; k--) {
      if ((elapsedMillis >>> k & 1) != 0) {
        f = f.multiply(table[k]).shiftRight(SCALE);
      }
    }
    recent.put(elapsedMillis, f);
    return f;
  }

  private static BigInteger[] table(long ratePpb) {
    BigInteger r = BigInteger.valueOf(ratePpb).shiftLeft(WORK).divide(BigInteger.valueOf(PPB));
    // L = -ln(1 - r) = sum r^n / n
    BigInteger l = BigInteger.ZERO;
    BigInteger power = WORK_ONE;
    for (int n = 1; ; n++) {
      power = power.multiply(r).shiftRight(WORK);
      if (power.signum() == 0) {
        break;
      }
      l = l.add(power.divide(BigInteger.valueOf(n)));
    }
    // F(1 ms) = exp(-L / Y) = sum (-z)^n / n!
    BigInteger z = l.divide(BigInteger.valueOf(YEAR_MILLIS));
    BigInteger f = WORK_ONE;
    BigInteger term = WORK_ONE;
    for (int n = 1; ; n++) {
      term = term.multiply(z).shiftRight(WORK).divide(BigInteger.valueOf(n));
      if (term.signum() == 0) {
        break;
      }
      f = (n & 1) == 1 ? f.subtract(term) : f.add(term);
    }
    BigInteger[] out = new BigInteger[BITS];
    for (int k = 0; k < BITS; k++) {
      out[k] = f.shiftRight(WORK - SCALE).subtract(BigInteger.ONE).max(BigInteger.ZERO);
      f = f.multiply(f).shiftRight(WORK);
    }
    return out;
  }
}
