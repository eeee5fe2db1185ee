package online.hypermesh.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Raw UDP on ::1: the ceiling for any QUIC stack on this machine. */
final class UdpBench {

  static final int DATAGRAM_BYTES = 1200;
  static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

  private UdpBench() {}

  /** One sender blasting 1200-byte datagrams, one receiver counting them. */
  static Results.Throughput blast(double seconds) throws Exception {
    try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(Bench.LOOPBACK, 0));
        DatagramSocket sender = new DatagramSocket(new InetSocketAddress(Bench.LOOPBACK, 0))) {
      receiver.setReceiveBufferSize(SOCKET_BUFFER_BYTES);
      receiver.setSoTimeout(100);
      sender.setSendBufferSize(SOCKET_BUFFER_BYTES);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong received = new AtomicLong();
      Thread rx = new Thread(() -> {
        byte[] buf = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        while (!stop.get()) {
          try {
            receiver.receive(packet);
            received.addAndGet(packet.getLength());
          } catch (SocketTimeoutException e) {
            // poll stop
          } catch (IOException e) {
            return;
          }
        }
      }, "udp-rx");
      rx.start();
      byte[] data = new byte[DATAGRAM_BYTES];
      DatagramPacket out = new DatagramPacket(data, data.length, receiver.getLocalSocketAddress());
      long sent = 0;
      long warmupEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
      while (System.nanoTime() < warmupEnd) {
        sender.send(out);
      }
      long start = System.nanoTime();
      long startBytes = received.get();
      long end = start + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        sender.send(out);
        sent += DATAGRAM_BYTES;
      }
      long elapsed = System.nanoTime() - start;
      long bytes = received.get() - startBytes;
      stop.set(true);
      rx.join(2000);
      double loss = sent == 0 ? 0 : Math.max(0, 1 - (double) bytes / sent);
      return Results.Throughput.of(1, elapsed, bytes,
          String.format("%d-byte datagrams; sent %.3f Gbit/s, %.1f%% not received",
              DATAGRAM_BYTES, sent * 8.0 / (elapsed / 1e9) / 1e9, loss * 100));
    }
  }

  /** 64-byte datagrams echoed by a second socket; a lost datagram counts as a failed request. */
  static Results.Latency echoLatency(int rate, double seconds, int payloadBytes) throws Exception {
    try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(Bench.LOOPBACK, 0));
        DatagramSocket client = new DatagramSocket(new InetSocketAddress(Bench.LOOPBACK, 0))) {
      server.setSoTimeout(100);
      client.setSoTimeout(100);
      AtomicBoolean stop = new AtomicBoolean();
      Thread echo = new Thread(() -> {
        byte[] buf = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        while (!stop.get()) {
          try {
            packet.setLength(buf.length);
            server.receive(packet);
            server.send(packet);
          } catch (SocketTimeoutException e) {
            // poll stop
          } catch (IOException e) {
            return;
          }
        }
      }, "udp-echo");
      Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
      Thread rx = new Thread(() -> {
        byte[] buf = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        while (!stop.get()) {
          try {
            packet.setLength(buf.length);
            client.receive(packet);
            CompletableFuture<Void> f = pending.remove(ByteBuffer.wrap(buf, 0, 8).getLong());
            if (f != null) {
              f.complete(null);
            }
          } catch (SocketTimeoutException e) {
            // poll stop
          } catch (IOException e) {
            return;
          }
        }
      }, "udp-echo-rx");
      echo.start();
      rx.start();
      try {
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        byte[] data = new byte[payloadBytes];
        return OpenLoop.run("udp", i -> {
          CompletableFuture<Void> f = new CompletableFuture<>();
          pending.put(i, f);
          ByteBuffer.wrap(data).putLong(i);
          try {
            client.send(new DatagramPacket(data, data.length, target));
          } catch (IOException e) {
            pending.remove(i);
            f.completeExceptionally(e);
          }
          return f;
        }, rate, seconds, payloadBytes, 1000);
      } finally {
        stop.set(true);
        echo.join(2000);
        rx.join(2000);
      }
    }
  }
}
