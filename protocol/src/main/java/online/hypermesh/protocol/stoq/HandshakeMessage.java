package online.hypermesh.protocol.stoq;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import online.hypermesh.protocol.crypto.AesGcm;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.MlKem;
import online.hypermesh.protocol.crypto.Pq;

/**
 * The four STOQ handshake messages, each the payload of one {@link FrameType#HANDSHAKE} frame,
 * and their strict codec. See {@link StoqHandshake} for the protocol.
 *
 * <pre>
 *   every message:  u8 message type
 *   1 ClientHello:    u16 version (1) | u8 options | 32 B client nonce | certificate list
 *                     | u16 length (1568) + ML-KEM-1024 public key
 *   2 ServerHello:    u8 options | 32 B server nonce | certificate list
 *                     | u16 length (1568) + ML-KEM-1024 ciphertext
 *                     | u16 length (1..1462) + FALCON-1024 signature
 *   3 ClientFinished: u16 length (1..1462) + FALCON-1024 signature
 *   4 ServerFinished: 16 B key confirmation (AES-256-GCM tag)
 *   certificate list: u8 count (1..4), then per certificate u16 length (1..8192) + DER, leaf first
 *   options: bit 0 = payload protection (ClientHello: requested; ServerHello: in force);
 *            other bits must be 0
 * </pre>
 *
 * <p>{@link #parse} never throws anything but {@link StoqException} (checked by a seeded random
 * loop): MALFORMED_FRAME for truncated input, trailing bytes, zero counts/lengths, fixed-size
 * fields of the wrong size, unknown option bits, unknown message types and certificates that are
 * not DER X.509; FRAME_TOO_LARGE for certificate lists or fields above their limits;
 * UNSUPPORTED_VERSION for a handshake version other than 1.
 */
public sealed interface HandshakeMessage {

  int VERSION = 1;
  int NONCE_BYTES = 32;
  int MAX_CERTIFICATES = 4;
  int MAX_CERTIFICATE_BYTES = 8192;
  int OPTION_PAYLOAD_PROTECTION = 0x01;
  int KNOWN_OPTIONS = OPTION_PAYLOAD_PROTECTION;
  /** Largest possible encoded message (a ServerHello with 4 maximal certificates) + slack. */
  int MAX_MESSAGE_BYTES = 64 * 1024;

  int TYPE_CLIENT_HELLO = 1;
  int TYPE_SERVER_HELLO = 2;
  int TYPE_CLIENT_FINISHED = 3;
  int TYPE_SERVER_FINISHED = 4;

  /** The wire bytes of this message. */
  byte[] encode();

  /** Certificates are kept as the DER bytes received, so transcripts hash exactly those. */
  record ClientHello(int version, int options, byte[] nonce, List<byte[]> certificates,
      byte[] kemPublicKey) implements HandshakeMessage {
    public ClientHello {
      certificates = List.copyOf(certificates);
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(kemPublicKey, "kemPublicKey");
    }

    @Override
    public byte[] encode() {
      ByteBuf out = Unpooled.buffer();
      out.writeByte(TYPE_CLIENT_HELLO);
      out.writeShort(version);
      out.writeByte(options);
      out.writeBytes(nonce);
      writeCertificates(out, certificates);
      writeBlock(out, kemPublicKey);
      return bytes(out);
    }
  }

  record ServerHello(int options, byte[] nonce, List<byte[]> certificates, byte[] kemCiphertext,
      byte[] signature) implements HandshakeMessage {
    public ServerHello {
      certificates = List.copyOf(certificates);
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(kemCiphertext, "kemCiphertext");
      Objects.requireNonNull(signature, "signature");
    }

    /** Everything the signature covers: the message up to (excluding) the signature field. */
    public byte[] encodeUnsigned() {
      ByteBuf out = Unpooled.buffer();
      out.writeByte(TYPE_SERVER_HELLO);
      out.writeByte(options);
      out.writeBytes(nonce);
      writeCertificates(out, certificates);
      writeBlock(out, kemCiphertext);
      return bytes(out);
    }

    @Override
    public byte[] encode() {
      byte[] unsigned = encodeUnsigned();
      ByteBuf out = Unpooled.buffer(unsigned.length + 2 + signature.length);
      out.writeBytes(unsigned);
      writeBlock(out, signature);
      return bytes(out);
    }
  }

  record ClientFinished(byte[] signature) implements HandshakeMessage {
    @Override
    public byte[] encode() {
      ByteBuf out = Unpooled.buffer();
      out.writeByte(TYPE_CLIENT_FINISHED);
      writeBlock(out, signature);
      return bytes(out);
    }
  }

  record ServerFinished(byte[] confirmation) implements HandshakeMessage {
    @Override
    public byte[] encode() {
      ByteBuf out = Unpooled.buffer();
      out.writeByte(TYPE_SERVER_FINISHED);
      out.writeBytes(confirmation);
      return bytes(out);
    }
  }

  /** Strictly parses one message; see the class comment for the error codes. */
  static HandshakeMessage parse(byte[] wire) {
    Reader in = new Reader(wire);
    int type = in.u8("message type");
    HandshakeMessage message =
        switch (type) {
          case TYPE_CLIENT_HELLO -> {
            int version = in.u16("version");
            if (version != VERSION) {
              throw new StoqException(
                  StoqError.UNSUPPORTED_VERSION,
                  "STOQ handshake version " + version + " is not supported (this peer speaks "
                      + VERSION + ")");
            }
            int options = in.options();
            byte[] nonce = in.bytes(NONCE_BYTES, "client nonce");
            List<byte[]> certificates = in.certificates();
            byte[] key = in.fixedBlock(MlKem.PUBLIC_KEY_BYTES, "ML-KEM-1024 public key");
            yield new ClientHello(version, options, nonce, certificates, key);
          }
          case TYPE_SERVER_HELLO -> {
            int options = in.options();
            byte[] nonce = in.bytes(NONCE_BYTES, "server nonce");
            List<byte[]> certificates = in.certificates();
            byte[] ciphertext = in.fixedBlock(MlKem.CIPHERTEXT_BYTES, "ML-KEM-1024 ciphertext");
            byte[] signature = in.signature();
            yield new ServerHello(options, nonce, certificates, ciphertext, signature);
          }
          case TYPE_CLIENT_FINISHED -> new ClientFinished(in.signature());
          case TYPE_SERVER_FINISHED ->
              new ServerFinished(in.bytes(AesGcm.TAG_BYTES, "key confirmation"));
          default ->
              throw new StoqException(
                  StoqError.MALFORMED_FRAME, "unknown handshake message type " + type);
        };
    in.requireEnd(message.getClass().getSimpleName());
    return message;
  }

  /** Parses DER certificates (already length-checked) into X.509 objects. */
  static List<X509Certificate> toCertificates(List<byte[]> certificates) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509", Pq.BC);
      List<X509Certificate> chain = new ArrayList<>(certificates.size());
      for (byte[] der : certificates) {
        chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      }
      return chain;
    } catch (CertificateException | RuntimeException e) {
      throw new StoqException(StoqError.MALFORMED_FRAME, "a certificate is not valid DER X.509");
    }
  }

  private static void writeCertificates(ByteBuf out, List<byte[]> certificates) {
    out.writeByte(certificates.size());
    for (byte[] der : certificates) {
      writeBlock(out, der);
    }
  }

  private static void writeBlock(ByteBuf out, byte[] block) {
    out.writeShort(block.length);
    out.writeBytes(block);
  }

  private static byte[] bytes(ByteBuf buf) {
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    return bytes;
  }

  /** Bounds-checked big-endian reads over a byte array; errors are StoqExceptions. */
  final class Reader {
    private final byte[] in;
    private int at;

    Reader(byte[] in) {
      this.in = in;
    }

    private void need(int n, String what) {
      if (in.length - at < n) {
        throw new StoqException(
            StoqError.MALFORMED_FRAME,
            "handshake message truncated: " + what + " needs " + n + " bytes, "
                + (in.length - at) + " left");
      }
    }

    int u8(String what) {
      need(1, what);
      return in[at++] & 0xFF;
    }

    int u16(String what) {
      need(2, what);
      int value = ((in[at] & 0xFF) << 8) | (in[at + 1] & 0xFF);
      at += 2;
      return value;
    }

    byte[] bytes(int n, String what) {
      need(n, what);
      byte[] out = new byte[n];
      System.arraycopy(in, at, out, 0, n);
      at += n;
      return out;
    }

    int options() {
      int options = u8("options");
      if ((options & ~KNOWN_OPTIONS) != 0) {
        throw new StoqException(
            StoqError.MALFORMED_FRAME,
            "unknown handshake option bits 0x" + Integer.toHexString(options));
      }
      return options;
    }

    byte[] fixedBlock(int size, String what) {
      int length = u16(what + " length");
      if (length != size) {
        throw new StoqException(
            StoqError.MALFORMED_FRAME, what + " must be " + size + " bytes, not " + length);
      }
      return bytes(length, what);
    }

    byte[] signature() {
      int length = u16("signature length");
      if (length == 0) {
        throw new StoqException(StoqError.MALFORMED_FRAME, "empty signature");
      }
      if (length > Falcon.MAX_SIGNATURE_BYTES) {
        throw new StoqException(
            StoqError.FRAME_TOO_LARGE,
            "signature of " + length + " bytes exceeds " + Falcon.MAX_SIGNATURE_BYTES);
      }
      return bytes(length, "signature");
    }

    List<byte[]> certificates() {
      int count = u8("certificate count");
      if (count == 0) {
        throw new StoqException(StoqError.MALFORMED_FRAME, "empty certificate list");
      }
      if (count > MAX_CERTIFICATES) {
        throw new StoqException(
            StoqError.FRAME_TOO_LARGE,
            "certificate list of " + count + " exceeds " + MAX_CERTIFICATES);
      }
      List<byte[]> certificates = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int length = u16("certificate length");
        if (length == 0) {
          throw new StoqException(StoqError.MALFORMED_FRAME, "empty certificate " + i);
        }
        if (length > MAX_CERTIFICATE_BYTES) {
          throw new StoqException(
              StoqError.FRAME_TOO_LARGE,
              "certificate " + i + " of " + length + " bytes exceeds " + MAX_CERTIFICATE_BYTES);
        }
        certificates.add(bytes(length, "certificate " + i));
      }
      // Parsed now, so a message with a non-certificate in it is refused as malformed here.
      toCertificates(certificates);
      return certificates;
    }

    void requireEnd(String what) {
      if (at != in.length) {
        throw new StoqException(
            StoqError.MALFORMED_FRAME,
            (in.length - at) + " unexpected bytes after the " + what);
      }
    }
  }
}
