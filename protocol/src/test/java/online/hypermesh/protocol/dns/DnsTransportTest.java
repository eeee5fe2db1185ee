package online.hypermesh.protocol.dns;

import io.netty.handler.codec.quic.QuicStreamChannel;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.stoq.QuicService;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqServer;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static online.hypermesh.protocol.dns.DnsFixtures.parse;
import static online.hypermesh.protocol.dns.DnsFixtures.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real sockets on ::1: DoQ on a STOQ server's port (next to stoq/1), classic UDP and TCP, and kdig if installed. */
class DnsTransportTest {

  private static final InetAddress LOOPBACK = DnsFixtures.v6("::1");
  private static final DnsResponder RESPONDER = new DnsResponder(DnsFixtures::zone);
  private static StoqServer stoq;
  private static int stoqPort;
  private static ClassicDnsServer classic;
  private static int classicPort;

  @BeforeAll
  static void start() {
    Identity node = DnsFixtures.CA.issueIdentity(LeafSpec.of("node-1", CertificateRole.NODE, List.of("node-1.hypermesh.online"),
        List.of(LOOPBACK), Duration.ofHours(1)));
    StoqSettings settings = new StoqSettings(LOOPBACK, 0, StoqSettings.DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(30), 1000,
        16L << 20, 1L << 20, Duration.ofSeconds(10), Duration.ofSeconds(10), true);
    List<QuicService> services = List.of(new DoqService(RESPONDER, Duration.ofSeconds(5)));
    stoq = new StoqServer(settings, payload -> CompletableFuture.completedFuture(new byte[0]), StoqTls.defaults(),
        StoqIdentity.of(node, DnsFixtures.CA.certificate(), Set.of()), services);
    stoqPort = stoq.start();
    classic = new ClassicDnsServer(LOOPBACK, 0, RESPONDER, Duration.ofSeconds(5));
    classicPort = classic.start();
  }

  @AfterAll
  static void stop() {
    if (stoq != null) {
      stoq.close();
    }
    if (classic != null) {
      classic.close();
    }
  }

  private static Message doqQuery(String name, int type) {
    Message query = query(name, type);
    query.getHeader().setID(0);
    return query;
  }

  @Test
  void dnsOverQuicAnswersOnTheStoqPort() throws Exception {
    try (DoqClient client = DoqClient.connect(LOOPBACK, stoqPort, Duration.ofSeconds(10))) {
      Message answer = parse(client.query(doqQuery("trust.hypermesh.online.", Type.AAAA).toWire()).get(10, TimeUnit.SECONDS));
      assertEquals(0, answer.getHeader().getID());
      assertEquals(Rcode.NOERROR, answer.getRcode());
      assertEquals(3, answer.getSection(Section.ANSWER).size());

      // Many streams at once on one connection: each gets its own answer.
      List<CompletableFuture<byte[]>> pending = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        pending.add(client.query(doqQuery("node-" + (1 + i % 4) + ".hypermesh.online.", Type.AAAA).toWire()));
      }
      for (int i = 0; i < pending.size(); i++) {
        Message m = parse(pending.get(i).get(10, TimeUnit.SECONDS));
        assertEquals(i % 4 == 3 ? Rcode.NXDOMAIN : Rcode.NOERROR, m.getRcode(), "query " + i);
      }
      // Garbage with id 0 is a DNS error, not a transport one.
      Message formerr = parse(client.query(new byte[] {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f}).get(10, TimeUnit.SECONDS));
      assertEquals(Rcode.FORMERR, formerr.getRcode());
      assertTrue(client.isOpen());
    }
  }

  @Test
  void aNonZeroMessageIdIsAProtocolErrorThatClosesTheConnection() throws Exception {
    try (DoqClient client = DoqClient.connect(LOOPBACK, stoqPort, Duration.ofSeconds(10))) {
      Message query = query("trust.hypermesh.online.", Type.AAAA);
      query.getHeader().setID(77);
      assertThrows(ExecutionException.class, () -> client.query(query.toWire()).get(10, TimeUnit.SECONDS));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (client.isOpen() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertFalse(client.isOpen(), "the server closes a connection that breaks RFC 9250");
    }
    // ...and keeps serving others.
    try (DoqClient client = DoqClient.connect(LOOPBACK, stoqPort, Duration.ofSeconds(10))) {
      assertEquals(Rcode.NOERROR, parse(client.query(doqQuery("stoq.hypermesh.online.", Type.AAAA).toWire()).get(10, TimeUnit.SECONDS)).getRcode());
    }
  }

  @Test
  void classicUdpAndTcpAnswer() throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      socket.setSoTimeout(5000);
      byte[] query = query("node-2.hypermesh.online.", Type.AAAA).toWire();
      socket.send(new DatagramPacket(query, query.length, LOOPBACK, classicPort));
      DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
      socket.receive(reply);
      Message answer = parse(java.util.Arrays.copyOf(reply.getData(), reply.getLength()));
      assertEquals("2001:db8:e:0:0:0:0:2", ((AAAARecord) answer.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
    }
    try (Socket socket = new Socket(LOOPBACK, classicPort)) {
      socket.setSoTimeout(5000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      for (String name : List.of("trust.hypermesh.online.", "example.com.")) { // two queries, one connection
        byte[] query = query(name, Type.AAAA).toWire();
        out.writeShort(query.length);
        out.write(query);
        out.flush();
        byte[] answer = new byte[in.readUnsignedShort()];
        in.readFully(answer);
        assertEquals(name.startsWith("trust") ? Rcode.NOERROR : Rcode.REFUSED, parse(answer).getRcode());
      }
    }
  }

  @Test
  void kdigGetsAnswersOverQuicUdpAndTcp() throws Exception {
    assumeTrue(kdigAvailable(), "kdig is not installed (Debian: apt-get install knot-dnsutils); .ci/run installs it");
    String quic = kdig("+quic", "-p", String.valueOf(stoqPort), "trust.hypermesh.online", "AAAA");
    assertTrue(quic.contains("status: NOERROR"), quic);
    assertTrue(quic.contains("2001:db8:a::3"), quic);
    String udp = kdig("-p", String.valueOf(classicPort), "_8443._udp.node-1.hypermesh.online", "TLSA");
    assertTrue(udp.contains("status: NOERROR") && udp.contains("TLSA\t3 1 1"), udp);
    String tcp = kdig("+tcp", "-p", String.valueOf(classicPort), "nothing.hypermesh.online", "AAAA");
    assertTrue(tcp.contains("status: NXDOMAIN"), tcp);
  }

  static boolean kdigAvailable() {
    try {
      return new ProcessBuilder("kdig", "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static String kdig(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kdig", "@::1", "+timeout=5", "+retry=0"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "kdig did not finish");
    return String.join(" ", command) + "\n" + output;
  }
}
