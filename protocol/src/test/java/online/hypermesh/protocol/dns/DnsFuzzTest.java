package online.hypermesh.protocol.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random and mutated queries through the responder on every transport: each gets a well-formed
 * answer (or, for responses and unreadable UDP input, none), never an internal error. Input i is
 * reproducible from (seed, i): -Dhypermesh.fuzz.seed=..., count -Dhypermesh.fuzz.dns.iterations=...
 */
class DnsFuzzTest {

  private static final long ITERATIONS = Long.getLong("hypermesh.fuzz.dns.iterations", 150_000);
  private static final long SEED = Long.getLong("hypermesh.fuzz.seed", 0x5704_F022_2025L);
  private static final List<String> NAMES = List.of("trust.hypermesh.online.", "node-1.hypermesh.online.",
      "_8443._udp.node-2.hypermesh.online.", "hypermesh.online.", "x.y.z.hypermesh.online.", "example.org.", ".");
  private static final int[] TYPES = {Type.AAAA, Type.A, Type.TLSA, Type.SOA, Type.NS, Type.ANY, Type.AXFR, Type.TXT,
      Type.OPT, Type.IXFR, 0, 65_535};
  private static final InetAddress[] SOURCES = {DnsFixtures.v6("2001:db8:e::1"), DnsFixtures.v6("2001:db8:a::1"),
      DnsFixtures.v6("::1"), null};

  @Test
  void noInputCrashesTheResponderOrYieldsABadAnswer() {
    DnsZone big = DnsFixtures.bigZone(40);
    DnsResponder responder = new DnsResponder(() -> big);
    DnsTransport[] transports = DnsTransport.values();
    int answered = 0;
    for (long i = 0; i < ITERATIONS; i++) {
      SplittableRandom random = new SplittableRandom(SEED ^ (i * 0x9E3779B97F4A7C15L));
      byte[] input = input(random);
      DnsTransport transport = transports[(int) (i % transports.length)];
      byte[] answer = responder.respond(input, SOURCES[random.nextInt(SOURCES.length)], transport);
      try {
        if (check(input, answer, transport)) {
          answered++;
        }
      } catch (AssertionError e) {
        fail("input " + i + " (" + transport + ") " + hex(input) + ": " + e.getMessage(), e);
      }
    }
    assertEquals(0, responder.internalErrors(), "answers that failed inside the responder");
    assertTrue(answered > ITERATIONS / 2, "most inputs get an answer: " + answered);
  }

  /** Returns whether there was an answer; asserts that it is a proper one. */
  private static boolean check(byte[] input, byte[] answer, DnsTransport transport) {
    if (answer.length == 0) {
      boolean isResponse = input.length >= 3 && (input[2] & 0x80) != 0;
      assertTrue(isResponse || (input.length < 2 && transport.datagram()), "no answer to a query");
      return false;
    }
    assertTrue(answer.length >= 12, "answer shorter than a header");
    if (input.length >= 2) {
      assertEquals(input[0], answer[0], "id");
      assertEquals(input[1], answer[1], "id");
    }
    assertTrue((answer[2] & 0x80) != 0, "QR not set");
    if (transport.datagram()) {
      assertTrue(answer.length <= 1232, "UDP answer of " + answer.length + " bytes");
    }
    try {
      new Message(answer);
    } catch (Exception e) {
      throw new AssertionError("our answer does not parse: " + e, e);
    }
    return true;
  }

  private static byte[] input(SplittableRandom random) {
    switch (random.nextInt(4)) {
      case 0:
        byte[] noise = new byte[random.nextInt(600)];
        random.nextBytes(noise);
        return noise;
      case 1:
        return validQuery(random);
      default:
        return mutate(validQuery(random), random);
    }
  }

  private static byte[] validQuery(SplittableRandom random) {
    Message query = DnsFixtures.query(NAMES.get(random.nextInt(NAMES.size())), TYPES[random.nextInt(TYPES.length)]);
    query.getHeader().setID(random.nextInt(65_536));
    if (random.nextBoolean()) {
      ClientSubnetOption[] ecs = random.nextBoolean()
          ? new ClientSubnetOption[] {subnet(random.nextInt(0, 129))}
          : new ClientSubnetOption[0];
      DnsFixtures.withEdns(query, random.nextInt(0, 65_536), ecs);
    }
    return query.toWire();
  }

  private static ClientSubnetOption subnet(int bits) {
    return new ClientSubnetOption(bits, org.xbill.DNS.Address.truncate(DnsFixtures.v6("2001:db8:e:12:3456::"), bits));
  }

  private static byte[] mutate(byte[] query, SplittableRandom random) {
    byte[] out = query;
    int rounds = 1 + random.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      switch (random.nextInt(6)) {
        case 0 -> { // flip bits
          if (out.length > 0) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> out = Arrays.copyOf(out, random.nextInt(out.length + 1)); // cut
        case 2 -> { // insert random bytes
          int at = random.nextInt(out.length + 1);
          byte[] extra = new byte[1 + random.nextInt(40)];
          random.nextBytes(extra);
          byte[] grown = new byte[out.length + extra.length];
          System.arraycopy(out, 0, grown, 0, at);
          System.arraycopy(extra, 0, grown, at, extra.length);
          System.arraycopy(out, at, grown, at + extra.length, out.length - at);
          out = grown;
        }
        case 3 -> { // section counts
          if (out.length >= 12) {
            int field = 4 + 2 * random.nextInt(4);
            out[field] = (byte) random.nextInt(256);
            out[field + 1] = (byte) random.nextInt(256);
          }
        }
        case 4 -> { // a compression pointer, often into a loop
          if (out.length >= 14) {
            int at = 12 + random.nextInt(out.length - 13);
            out[at] = (byte) (0xC0 | random.nextInt(4));
            out[at + 1] = (byte) random.nextInt(256);
          }
        }
        default -> { // flags byte: opcode, QR, Z, rcode
          if (out.length >= 4) {
            out[2 + random.nextInt(2)] = (byte) random.nextInt(256);
          }
        }
      }
    }
    return out;
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 200));
  }
}
