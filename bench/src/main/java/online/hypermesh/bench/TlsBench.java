package online.hypermesh.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The incumbent: TCP + TLS 1.3 from the JDK (SSLSocket), thread per connection. The client's
 * first byte picks the mode: 'S' sink (bulk) or 'E' echo (latency).
 */
final class TlsBench implements AutoCloseable {

  private static final int CHUNK = 64 * 1024;

  private final SSLContext context;
  private final SSLServerSocket server;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong received = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final List<SSLSocket> sockets = new ArrayList<>();

  TlsBench() throws Exception {
    context = BenchTls.jdk();
    server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    server.setEnabledProtocols(new String[] {"TLSv1.3"});
    server.bind(new InetSocketAddress(Bench.LOOPBACK, 0), 128);
    server.setSoTimeout(100);
    start("tls-accept", this::acceptLoop);
  }

  private synchronized void start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void acceptLoop() {
    while (!stop.get()) {
      try {
        SSLSocket s = (SSLSocket) server.accept();
        synchronized (this) {
          sockets.add(s);
        }
        start("tls-serve", () -> serve(s));
      } catch (SocketTimeoutException e) {
        // poll stop
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(SSLSocket s) {
    byte[] buf = new byte[CHUNK];
    try (s) {
      s.setTcpNoDelay(true);
      InputStream in = s.getInputStream();
      int mode = in.read();
      OutputStream out = s.getOutputStream();
      int n;
      while (!stop.get() && (n = in.read(buf)) > 0) {
        if (mode == 'E') {
          out.write(buf, 0, n);
          out.flush();
        } else {
          received.addAndGet(n);
        }
      }
    } catch (IOException e) {
      // connection closed
    }
  }

  private SSLSocket connect(char mode) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
    synchronized (this) {
      sockets.add(s);
    }
    s.setEnabledProtocols(new String[] {"TLSv1.3"});
    s.setTcpNoDelay(true);
    s.connect(server.getLocalSocketAddress(), 5000);
    s.setSoTimeout(5000);
    s.startHandshake();
    s.getOutputStream().write(mode);
    s.getOutputStream().flush();
    return s;
  }

  /** C client threads writing 64 KiB chunks; bytes counted by the server. */
  Results.Throughput bulk(int connections, double seconds) throws Exception {
    List<SSLSocket> clients = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      clients.add(connect('S'));
    }
    AtomicBoolean done = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (SSLSocket c : clients) {
      Thread t = new Thread(() -> {
        byte[] chunk = new byte[CHUNK];
        try {
          OutputStream out = c.getOutputStream();
          while (!done.get()) {
            out.write(chunk);
          }
        } catch (IOException e) {
          // closed
        }
      }, "tls-writer");
      t.setDaemon(true);
      writers.add(t);
      t.start();
    }
    Bench.warmUp(received);
    long b0 = received.get();
    long t0 = System.nanoTime();
    Thread.sleep((long) (seconds * 1000));
    long bytes = received.get() - b0;
    long elapsed = System.nanoTime() - t0;
    done.set(true);
    for (Thread t : writers) {
      t.join(2000); // each finishes its current write (the server keeps reading), then stops
    }
    for (SSLSocket c : clients) {
      c.close();
    }
    return Results.Throughput.of(connections, elapsed, bytes, "64 KiB writes, " + cipher(clients));
  }

  private static String cipher(List<SSLSocket> clients) {
    return clients.isEmpty() ? "" : clients.get(0).getSession().getProtocol() + " "
        + clients.get(0).getSession().getCipherSuite();
  }

  /** Open-loop 64-byte echoes on one connection; answers arrive in order. */
  Results.Latency latency(int rate, double seconds, int payloadBytes) throws Exception {
    SSLSocket c = connect('E');
    ConcurrentLinkedQueue<CompletableFuture<Void>> pending = new ConcurrentLinkedQueue<>();
    Thread reader = new Thread(() -> {
      try {
        DataInputStream in = new DataInputStream(c.getInputStream());
        byte[] answer = new byte[payloadBytes];
        while (!stop.get()) {
          in.readFully(answer);
          CompletableFuture<Void> f = pending.poll();
          if (f != null) {
            f.complete(null);
          }
        }
      } catch (IOException e) {
        // closed or timed out
      }
    }, "tls-echo-reader");
    reader.setDaemon(true);
    reader.start();
    OutputStream out = c.getOutputStream();
    byte[] request = new byte[payloadBytes];
    try {
      return OpenLoop.run("tls", i -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pending.add(f);
        try {
          out.write(request);
          out.flush();
        } catch (IOException e) {
          f.completeExceptionally(e);
        }
        return f;
      }, rate, seconds, payloadBytes, 1000);
    } finally {
      c.close();
      reader.join(2000);
    }
  }

  @Override
  public void close() throws Exception {
    stop.set(true);
    server.close();
    List<SSLSocket> open;
    synchronized (this) {
      open = new ArrayList<>(sockets);
    }
    for (SSLSocket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    List<Thread> all;
    synchronized (this) {
      all = new ArrayList<>(threads);
    }
    for (Thread t : all) {
      t.join(2000);
    }
  }
}
