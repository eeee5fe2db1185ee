package online.hypermesh.bench;

import io.netty.handler.codec.quic.BoringSSLContextOption;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import online.hypermesh.protocol.stoq.EphemeralCertificate;
import online.hypermesh.protocol.stoq.StoqProtocol;

/** TLS for the baselines: the same certificate kind and key-exchange groups as STOQ's defaults. */
final class BenchTls {

  /** STOQ's default groups: hybrid post-quantum first, then X25519. */
  static final List<String> GROUPS =
      List.of(StoqProtocol.GROUP_X25519_MLKEM768, StoqProtocol.GROUP_X25519);

  private static final EphemeralCertificate CERT =
      EphemeralCertificate.generate("hypermesh-bench", List.of("localhost"), List.of(Bench.LOOPBACK));

  private BenchTls() {}

  static QuicSslContext quicServer(String alpn) {
    return withGroups(() -> QuicSslContextBuilder
        .forServer(CERT.privateKey(), null, CERT.certificate())
        .applicationProtocols(alpn));
  }

  static QuicSslContext quicClient(String alpn) {
    return withGroups(() -> QuicSslContextBuilder.forClient()
        .applicationProtocols(alpn)
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        .endpointIdentificationAlgorithm(null));
  }

  /** The groups the bundled BoringSSL accepts (like StoqTls: drop unknown ones). */
  static List<String> supportedGroups() {
    List<String> ok = new ArrayList<>();
    for (String g : GROUPS) {
      try {
        QuicSslContextBuilder.forClient().option(BoringSSLContextOption.GROUPS, new String[] {g}).build();
        ok.add(g);
      } catch (RuntimeException e) {
        // not supported by this native library
      }
    }
    return ok;
  }

  private static QuicSslContext withGroups(Supplier<QuicSslContextBuilder> builder) {
    List<String> groups = supportedGroups();
    if (groups.isEmpty()) {
      return builder.get().build();
    }
    return builder.get().option(BoringSSLContextOption.GROUPS, groups.toArray(String[]::new)).build();
  }

  /** JDK TLS 1.3 context with the ephemeral certificate as key and as the only trust anchor. */
  static SSLContext jdk() throws Exception {
    char[] password = "bench".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("bench", CERT.privateKey(), password, new X509Certificate[] {CERT.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("bench", CERT.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }
}
