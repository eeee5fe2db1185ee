package online.hypermesh.node;

import com.typesafe.config.Config;
import online.hypermesh.protocol.stoq.IdentityFiles;
import online.hypermesh.protocol.stoq.StoqIdentity;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Maps hypermesh.stoq.* onto the transport's settings; the protocol module reads no configuration itself. */
public final class StoqSettingsFromConfig {

  private StoqSettingsFromConfig() {
  }

  static StoqSettings read(Config config) {
    Config stoq = config.getConfig("hypermesh.stoq");
    try {
      return new StoqSettings(
          StoqSettings.ipv6(config.getString("hypermesh.node.bind")),
          stoq.getInt("port"),
          Math.toIntExact(stoq.getBytes("max-frame-bytes")),
          stoq.getDuration("idle-timeout"),
          stoq.getLong("max-bidi-streams"),
          stoq.getBytes("initial-max-data"),
          stoq.getBytes("initial-max-stream-data"),
          stoq.getDuration("request-timeout"),
          stoq.getDuration("handshake-timeout"),
          stoq.getBoolean("payload-protection"));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new NodeConfig.InvalidConfigException("invalid hypermesh.stoq settings: " + e.getMessage());
    }
  }

  /**
   * The node's FALCON identity and the CA it trusts. Required: STOQ authenticates every peer, so a node
   * without an identity does not start.
   */
  public static StoqIdentity identity(Config config) {
    Config identity = config.getConfig("hypermesh.stoq.identity");
    String key = identity.getString("key-file");
    String chain = identity.getString("cert-file");
    String anchor = identity.getString("trust-anchor-file");
    if (key.isEmpty() || chain.isEmpty() || anchor.isEmpty()) {
      throw new NodeConfig.InvalidConfigException("hypermesh.stoq.identity.key-file, cert-file and trust-anchor-file are "
          + "required: STOQ authenticates every peer (`hypermesh up` issues them from TrustChain and sets them)");
    }
    Set<BigInteger> revoked = new HashSet<>();
    for (String serial : identity.getStringList("revoked-serials")) {
      try {
        revoked.add(new BigInteger(serial.replace(":", ""), 16));
      } catch (NumberFormatException e) {
        throw new NodeConfig.InvalidConfigException("hypermesh.stoq.identity.revoked-serials: '" + serial + "' is not a hex serial");
      }
    }
    try {
      return new IdentityFiles(Path.of(key), Path.of(chain), Path.of(anchor)).load(Set.copyOf(revoked));
    } catch (IllegalArgumentException e) {
      throw new NodeConfig.InvalidConfigException("hypermesh.stoq.identity: " + e.getMessage());
    }
  }

  static StoqTls tls(Config config) {
    String key = config.getString("hypermesh.stoq.tls.key-file");
    String cert = config.getString("hypermesh.stoq.tls.cert-file");
    if (key.isEmpty() != cert.isEmpty()) {
      throw new NodeConfig.InvalidConfigException("hypermesh.stoq.tls: set both key-file and cert-file, or neither");
    }
    return key.isEmpty() ? StoqTls.defaults() : StoqTls.serverPem(Path.of(key), Path.of(cert));
  }
}
