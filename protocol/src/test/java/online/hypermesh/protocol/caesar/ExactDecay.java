package online.hypermesh.protocol.caesar;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The decay computed independently of {@link Demurrage}: BigDecimal at 80 digits, ln by the atanh
 * series, exp by halving and squaring. Gives floor of the exact kept balance.
 */
final class ExactDecay {

  private static final MathContext MC = new MathContext(80, RoundingMode.HALF_EVEN);

  private ExactDecay() {}

  static BigDecimal factor(long ratePpb, long elapsedMillis) {
    BigDecimal x = BigDecimal.ONE.subtract(
        BigDecimal.valueOf(ratePpb).divide(BigDecimal.valueOf(1_000_000_000L), MC));
    BigDecimal y = ln(x).multiply(BigDecimal.valueOf(elapsedMillis), MC)
        .divide(BigDecimal.valueOf(Demurrage.YEAR_MILLIS), MC);
    return exp(y);
  }

  static long kept(long ratePpb, long exempt, long balance, long elapsedMillis) {
    if (balance <= exempt) {
      return balance;
    }
    BigDecimal excess = BigDecimal.valueOf(balance - exempt)
        .multiply(factor(ratePpb, elapsedMillis), MC);
    return exempt + excess.setScale(0, RoundingMode.FLOOR).longValueExact();
  }

  /** ln x = 2 atanh((x - 1) / (x + 1)). */
  private static BigDecimal ln(BigDecimal x) {
    BigDecimal z = x.subtract(BigDecimal.ONE).divide(x.add(BigDecimal.ONE), MC);
    BigDecimal z2 = z.multiply(z, MC);
    BigDecimal term = z;
    BigDecimal sum = BigDecimal.ZERO;
    BigDecimal eps = BigDecimal.ONE.movePointLeft(90);
    for (int k = 1; term.abs().compareTo(eps) > 0; k += 2) {
      sum = sum.add(term.divide(BigDecimal.valueOf(k), MC), MC);
      term = term.multiply(z2, MC);
    }
    return sum.multiply(BigDecimal.valueOf(2), MC);
  }

  private static BigDecimal exp(BigDecimal y) {
    int halvings = 0;
    BigDecimal r = y;
    while (r.abs().compareTo(new BigDecimal("0.001")) > 0) {
      r = r.divide(BigDecimal.valueOf(2), MC);
      halvings++;
    }
    BigDecimal sum = BigDecimal.ONE;
    BigDecimal term = BigDecimal.ONE;
    BigDecimal eps = BigDecimal.ONE.movePointLeft(95);
    for (int n = 1; term.abs().compareTo(eps) > 0; n++) {
      term = term.multiply(r, MC).divide(BigDecimal.valueOf(n), MC);
      sum = sum.add(term, MC);
    }
    for (int i = 0; i < halvings; i++) {
      sum = sum.multiply(sum, MC);
    }
    return sum;
  }

  static BigDecimal scaled(BigInteger fixedPoint) {
    return new BigDecimal(fixedPoint).divide(new BigDecimal(Demurrage.ONE), MC);
  }
}
