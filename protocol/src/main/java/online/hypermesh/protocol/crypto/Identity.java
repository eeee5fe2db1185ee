package online.hypermesh.protocol.crypto;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A FALCON-1024 private key with its certificate chain, leaf first (the trust anchor may be
 * included last or left out).
 */
public record Identity(PrivateKey privateKey, List<X509Certificate> chain) {

  public Identity {
    Objects.requireNonNull(privateKey, "privateKey");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("certificate chain must not be empty");
    }
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }
}
