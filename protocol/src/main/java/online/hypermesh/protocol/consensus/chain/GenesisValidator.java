package online.hypermesh.protocol.consensus.chain;

import java.util.Objects;

/**
 * One validator of the genesis set: a name for logs and the CLI, and its certificate (DER), whose
 * FALCON-1024 key signs its proposals, votes and timeouts. Its index is its position in {@link
 * Genesis#validators()}.
 */
public record GenesisValidator(String name, byte[] certificateDer) {

  public GenesisValidator {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(certificateDer, "certificateDer");
    certificateDer = certificateDer.clone();
  }

  @Override
  public byte[] certificateDer() {
    return certificateDer.clone();
  }
}
