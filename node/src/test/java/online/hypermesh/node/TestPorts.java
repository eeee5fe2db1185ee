package online.hypermesh.node;

import online.hypermesh.node.local.PortBlock;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A base port whose whole block of node ports is free on ::1, so tests never collide with a running `hypermesh up`.
 * Bases stay in 20000-32039, below Linux's ephemeral range (32768-60999): a port found free there could be taken
 * by some outgoing connection's source port before the node binds it (it happened to a CI run).
 */
final class TestPorts {

  private TestPorts() {
  }

  static int freeBase(int nodes) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + ThreadLocalRandom.current().nextInt(1_200) * 10;
      boolean free = true;
      for (int i = 1; i <= nodes && free; i++) {
        PortBlock ports = PortBlock.of(base, i);
        free = udpFree(ports.stoq()) && tcpFree(ports.remoting()) && tcpFree(ports.management())
            && udpFree(ports.dns()) && tcpFree(ports.dns());
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free block of ports found for " + nodes + " nodes");
  }

  private static boolean tcpFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(loopback(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean udpFree(int port) {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback(), port))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static InetAddress loopback() throws IOException {
    return Inet6Address.getByName("::1");
  }
}
