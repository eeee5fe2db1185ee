package online.hypermesh.protocol.stoq;

import io.netty.handler.codec.quic.BoringSSLContextOption;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS material and policy for a STOQ endpoint; turns into Netty {@link QuicSslContext}s.
 *
 * <p>Server side: {@code keyFile} + {@code certFile} (PEM) if given, else an {@link
 * EphemeralCertificate} generated at start. Client side: trust the certificates in {@code
 * trustCertFile} (PEM; a CA or the server certificate itself, with host-name checking against the
 * address dialled), else accept any server certificate — development only, TrustChain
 * authentication replaces this in a later issue.
 *
 * <p>Key exchange: {@link #keyExchangeGroups()} in preference order, by default the hybrid
 * post-quantum {@code X25519MLKEM768} then {@code X25519}. Groups the bundled BoringSSL does not
 * know are dropped with a warning (and if none is left, BoringSSL's defaults apply), so an older
 * native library degrades to classical key exchange instead of failing to start.
 *
 * @param keyFile server private key (PEM) or null
 * @param certFile server certificate chain (PEM) or null; set together with keyFile
 * @param trustCertFile client trust anchors (PEM) or null for accept-any
 * @param keyExchangeGroups TLS 1.3 groups, BoringSSL names, best first
 */
public record StoqTls(
    Path keyFile, Path certFile, Path trustCertFile, List<String> keyExchangeGroups) {

  private static final Logger log = LoggerFactory.getLogger(StoqTls.class);

  public static final List<String> DEFAULT_GROUPS =
      List.of(StoqProtocol.GROUP_X25519_MLKEM768, StoqProtocol.GROUP_X25519);

  /** Probe results per group name: building a context is the only way to ask BoringSSL. */
  private static final Map<String, Boolean> GROUP_SUPPORT = new ConcurrentHashMap<>();

  public StoqTls {
    if ((keyFile == null) != (certFile == null)) {
      throw new IllegalArgumentException("keyFile and certFile must be given together");
    }
    keyExchangeGroups = List.copyOf(Objects.requireNonNull(keyExchangeGroups, "groups"));
  }

  /** Ephemeral self-signed server certificate; client accepts any certificate. */
  public static StoqTls defaults() {
    return new StoqTls(null, null, null, DEFAULT_GROUPS);
  }

  public static StoqTls serverPem(Path keyFile, Path certFile) {
    return new StoqTls(
        Objects.requireNonNull(keyFile, "keyFile"),
        Objects.requireNonNull(certFile, "certFile"),
        null,
        DEFAULT_GROUPS);
  }

  public static StoqTls clientTrusting(Path trustCertFile) {
    return new StoqTls(
        null, null, Objects.requireNonNull(trustCertFile, "trustCertFile"), DEFAULT_GROUPS);
  }

  public StoqTls withKeyExchangeGroups(List<String> groups) {
    return new StoqTls(keyFile, certFile, trustCertFile, groups);
  }

  /**
   * Builds the server context.
   *
   * @param certificateAddresses addresses to name in an ephemeral certificate (ignored with PEM
   *     files)
   */
  public QuicSslContext serverContext(List<InetAddress> certificateAddresses) {
    return serverContext(serverMaterial(certificateAddresses));
  }

  /** The server's TLS key and chain, loaded from the PEM files or generated (ephemeral). */
  record ServerMaterial(PrivateKey key, X509Certificate[] chain) {
    X509Certificate leaf() {
      return chain[0];
    }
  }

  ServerMaterial serverMaterial(List<InetAddress> certificateAddresses) {
    PrivateKey key;
    X509Certificate[] chain;
    if (keyFile != null) {
      key = PemMaterial.readPrivateKey(keyFile);
      chain = PemMaterial.readCertificates(certFile).toArray(X509Certificate[]::new);
      log.info("STOQ TLS: using key {} and certificate {}", keyFile, certFile);
    } else {
      EphemeralCertificate ephemeral =
          EphemeralCertificate.generate("hypermesh-stoq", List.of("localhost"), certificateAddresses);
      key = ephemeral.privateKey();
      chain = new X509Certificate[] {ephemeral.certificate()};
      log.info(
          "STOQ TLS: no key files configured; generated an ephemeral self-signed ECDSA P-256 "
              + "certificate ({}), which no client can verify (development only)",
          ephemeral.certificate().getSubjectX500Principal());
    }
    return new ServerMaterial(key, chain);
  }

  QuicSslContext serverContext(ServerMaterial material) {
    return serverContext(material, List.of());
  }

  /**
   * The server context offering {@code stoq/1} and then {@code serviceAlpns}. One context serves
   * every ALPN, so they share the key-exchange groups: keep a classical group in the list when a
   * service's clients (e.g. DoQ resolvers) cannot do the hybrid one.
   */
  QuicSslContext serverContext(ServerMaterial material, List<String> serviceAlpns) {
    PrivateKey key = material.key();
    X509Certificate[] chain = material.chain();
    List<String> alpns = new ArrayList<>();
    alpns.add(StoqProtocol.ALPN);
    alpns.addAll(serviceAlpns);
    String[] offered = alpns.toArray(String[]::new);
    return build(
        () -> QuicSslContextBuilder.forServer(key, null, chain).applicationProtocols(offered),
        "server");
  }

  public QuicSslContext clientContext() {
    return build(
        () -> {
          QuicSslContextBuilder builder =
              QuicSslContextBuilder.forClient().applicationProtocols(StoqProtocol.ALPN);
          if (trustCertFile != null) {
            builder.trustManager(
                PemMaterial.readCertificates(trustCertFile).toArray(X509Certificate[]::new));
          } else {
            // Accept-any also means no host-name check: there is no identity to compare with.
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            builder.endpointIdentificationAlgorithm(null);
          }
          return builder;
        },
        "client");
  }

  private QuicSslContext build(Supplier<QuicSslContextBuilder> builder, String role) {
    List<String> groups = supportedGroups(keyExchangeGroups);
    if (groups.isEmpty()) {
      log.warn(
          "STOQ TLS {}: none of the key-exchange groups {} is supported by the native BoringSSL; "
              + "using its defaults (classical, not post-quantum)",
          role,
          keyExchangeGroups);
      return builder.get().build();
    }
    log.debug("STOQ TLS {}: key-exchange groups {}", role, groups);
    return builder
        .get()
        .option(BoringSSLContextOption.GROUPS, groups.toArray(String[]::new))
        .build();
  }

  /** The groups from {@code wanted} that the bundled BoringSSL accepts, in the same order. */
  static List<String> supportedGroups(List<String> wanted) {
    List<String> supported = new ArrayList<>();
    Set<String> unsupported = new LinkedHashSet<>();
    for (String group : wanted) {
      if (GROUP_SUPPORT.computeIfAbsent(group, StoqTls::probeGroup)) {
        supported.add(group);
      } else {
        unsupported.add(group);
      }
    }
    if (!unsupported.isEmpty()) {
      log.warn("STOQ TLS: native BoringSSL does not support key-exchange groups {}", unsupported);
    }
    return supported;
  }

  /** Netty throws IllegalStateException from build() when BoringSSL rejects the groups list. */
  private static boolean probeGroup(String group) {
    try {
      QuicSslContextBuilder.forClient()
          .option(BoringSSLContextOption.GROUPS, new String[] {group})
          .build();
      return true;
    } catch (RuntimeException e) {
      log.debug("STOQ TLS: group {} rejected: {}", group, e.toString());
      return false;
    }
  }
}
