package online.hypermesh.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JDK's AES-256-GCM alone (encrypt + decrypt of one payload with cached {@link Cipher}s), by
 * kind of buffer: {@code byte[]}, heap {@link ByteBuffer}, direct {@link ByteBuffer}. Shows which
 * input the JDK's GCM intrinsics serve without extra copies; compare with {@code
 * -XX:+UnlockDiagnosticVMOptions -XX:-UseAESIntrinsics -XX:-UseGHASHIntrinsics
 * -XX:-UseAESCTRIntrinsics} to see what the intrinsics are worth.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AesGcmBenchmark {

  @Param({"1048576"})
  public int payloadBytes;

  private final SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
  private Cipher encryptor;
  private Cipher decryptor;
  private byte[] plain;
  private byte[] sealed;
  private byte[] opened;
  private ByteBuffer heapPlain;
  private ByteBuffer heapSealed;
  private ByteBuffer heapOpened;
  private ByteBuffer directPlain;
  private ByteBuffer directSealed;
  private ByteBuffer directOpened;
  private final byte[] aad = new byte[12];
  private long counter;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    encryptor = Cipher.getInstance("AES/GCM/NoPadding");
    decryptor = Cipher.getInstance("AES/GCM/NoPadding");
    plain = new byte[payloadBytes];
    ThreadLocalRandom.current().nextBytes(plain);
    sealed = new byte[payloadBytes + 16];
    opened = new byte[payloadBytes];
    heapPlain = ByteBuffer.wrap(plain.clone());
    heapSealed = ByteBuffer.allocate(payloadBytes + 16);
    heapOpened = ByteBuffer.allocate(payloadBytes);
    directPlain = ByteBuffer.allocateDirect(payloadBytes).put(plain).flip();
    directSealed = ByteBuffer.allocateDirect(payloadBytes + 16);
    directOpened = ByteBuffer.allocateDirect(payloadBytes);
  }

  private GCMParameterSpec nextNonce() {
    long n = counter++;
    byte[] nonce = new byte[12];
    for (int i = 0; i < 8; i++) {
      nonce[4 + i] = (byte) (n >>> (56 - 8 * i));
    }
    return new GCMParameterSpec(128, nonce);
  }

  @Benchmark
  public int arrays() throws Exception {
    GCMParameterSpec spec = nextNonce();
    encryptor.init(Cipher.ENCRYPT_MODE, key, spec);
    encryptor.updateAAD(aad);
    int n = encryptor.doFinal(plain, 0, plain.length, sealed, 0);
    decryptor.init(Cipher.DECRYPT_MODE, key, spec);
    decryptor.updateAAD(aad);
    return decryptor.doFinal(sealed, 0, n, opened, 0);
  }

  @Benchmark
  public int heapBuffers() throws Exception {
    return buffers(heapPlain, heapSealed, heapOpened);
  }

  @Benchmark
  public int directBuffers() throws Exception {
    return buffers(directPlain, directSealed, directOpened);
  }

  /** Heap plaintext sealed into a direct buffer, opened into a heap buffer (no shared memory). */
  @Benchmark
  public int mixedBuffers() throws Exception {
    GCMParameterSpec spec = nextNonce();
    heapPlain.clear();
    directSealed.clear();
    heapOpened.clear();
    encryptor.init(Cipher.ENCRYPT_MODE, key, spec);
    encryptor.updateAAD(aad);
    encryptor.doFinal(heapPlain, directSealed);
    directSealed.flip();
    decryptor.init(Cipher.DECRYPT_MODE, key, spec);
    decryptor.updateAAD(aad);
    return decryptor.doFinal(directSealed, heapOpened);
  }

  private int buffers(ByteBuffer in, ByteBuffer mid, ByteBuffer out) throws Exception {
    GCMParameterSpec spec = nextNonce();
    in.clear();
    mid.clear();
    out.clear();
    encryptor.init(Cipher.ENCRYPT_MODE, key, spec);
    encryptor.updateAAD(aad);
    encryptor.doFinal(in, mid);
    mid.flip();
    decryptor.init(Cipher.DECRYPT_MODE, key, spec);
    decryptor.updateAAD(aad);
    return decryptor.doFinal(mid, out);
  }
}
