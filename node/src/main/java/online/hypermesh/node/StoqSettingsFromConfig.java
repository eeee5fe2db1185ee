package online.hypermesh.node;

import com.typesafe.config.Config;
import online.hypermesh.protocol.stoq.StoqSettings;
import online.hypermesh.protocol.stoq.StoqTls;

import java.nio.file.Path;

/** Maps hypermesh.stoq.* onto the transport's settings; the protocol module reads no configuration itself. */
final class StoqSettingsFromConfig {

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
          stoq.getDuration("handshake-timeout"));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new NodeConfig.InvalidConfigException("invalid hypermesh.stoq settings: " + e.getMessage());
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
