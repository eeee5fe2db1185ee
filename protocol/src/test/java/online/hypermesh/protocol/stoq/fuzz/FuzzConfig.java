package online.hypermesh.protocol.stoq.fuzz;

/** Iteration count and seed of the fuzz tests, from system properties (Maven passes -D through). */
final class FuzzConfig {

  /**
   * Inputs per fuzz test in a normal build: 200,000 (about 12-15 s for the frame test on a 2-core
   * machine; a million took over 60 s there). Override with -Dhypermesh.fuzz.iterations=N.
   */
  static final long DEFAULT_ITERATIONS = 200_000;

  static final long ITERATIONS = Long.getLong("hypermesh.fuzz.iterations", DEFAULT_ITERATIONS);

  /**
   * Inputs for the Kryo payload fuzz: a twentieth of the frame count by default, because a rejected
   * Kryo payload costs ~100-200 us (Kryo builds exceptions with traces, and class-by-name ids make
   * it ask the class loader). Override with -Dhypermesh.fuzz.kryo.iterations=N.
   */
  static final long KRYO_ITERATIONS =
      Long.getLong("hypermesh.fuzz.kryo.iterations", Math.max(1_000, ITERATIONS / 20));

  /** Base seed; input i uses a generator seeded from (seed, i), so any input can be replayed. */
  static final long SEED = Long.getLong("hypermesh.fuzz.seed", 0x5704_F022_2025L);

  private FuzzConfig() {}

  /** A well-mixed seed for input {@code index} (SplitMix64 finaliser). */
  static long seedOf(long index) {
    long z = SEED + (index + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
