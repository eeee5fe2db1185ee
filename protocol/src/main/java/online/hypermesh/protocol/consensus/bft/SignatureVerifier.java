package online.hypermesh.protocol.consensus.bft;

/** Checks a signature against a validator's encoded public key. Never throws: false on any fault. */
public interface SignatureVerifier {

  boolean verify(byte[] publicKey, byte[] message, byte[] signature);
}
