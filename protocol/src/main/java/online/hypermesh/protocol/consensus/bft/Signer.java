package online.hypermesh.protocol.consensus.bft;

/**
 * Signs consensus messages with this validator's private key. Behind an interface because
 * FALCON-1024 signs at about 1,500/s: the randomized simulations use a fast scheme instead.
 */
public interface Signer {

  byte[] sign(byte[] message);
}
