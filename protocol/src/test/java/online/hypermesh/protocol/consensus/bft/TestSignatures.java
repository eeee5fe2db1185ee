package online.hypermesh.protocol.consensus.bft;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A fast signature scheme for the big simulations (FALCON signs ~1,500/s): HMAC-SHA256 under a
 * per-validator secret, with the "public key" a hash of the secret and the verifier an oracle that
 * knows the secrets. Unforgeable for test code that only holds its own secret, which is all the
 * Byzantine replicas get.
 */
final class TestSignatures {

  private final List<byte[]> secrets = new ArrayList<>();
  private final List<byte[]> publicKeys = new ArrayList<>();
  private final Map<Digest, byte[]> secretByKey = new HashMap<>();

  TestSignatures(int n, long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < n; i++) {
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      byte[] publicKey = Digest.sha256("test-pk".getBytes(), secret).bytes();
      secrets.add(secret);
      publicKeys.add(publicKey);
      secretByKey.put(Digest.of(publicKey), secret);
    }
  }

  List<byte[]> publicKeys() {
    return publicKeys;
  }

  Signer signer(int index) {
    Mac mac = mac(secrets.get(index));
    return mac::doFinal;
  }

  SignatureVerifier verifier() {
    Map<Digest, Mac> macs = new HashMap<>();
    return (publicKey, message, signature) -> {
      if (publicKey == null || publicKey.length != Digest.LENGTH) {
        return false;
      }
      Digest key = Digest.of(publicKey);
      byte[] secret = secretByKey.get(key);
      if (secret == null) {
        return false;
      }
      Mac mac = macs.computeIfAbsent(key, k -> mac(secret));
      return MessageDigest.isEqual(mac.doFinal(message), signature);
    };
  }

  private static Mac mac(byte[] secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
