package online.hypermesh.node.cli;

import online.hypermesh.node.trustchain.TrustChainKeys;
import online.hypermesh.protocol.crypto.PqPem;
import online.hypermesh.protocol.trustchain.LogSignatureVerdict;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.MerkleProofVerifier;
import online.hypermesh.protocol.trustchain.ProofEncoding;
import online.hypermesh.protocol.trustchain.ProofVerdict;
import online.hypermesh.protocol.trustchain.SignedTreeHead;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The Certificate Transparency log over STOQ. Every head and proof is checked here, with the independent
 * verifier and the log's key: the pinned trustchain-log.pub of the --identity folder when there is one
 * (otherwise the key the node sent, which only proves self-consistency, and the output says so).
 */
@Command(name = "ct", description = "Certificate Transparency log: tree head, proofs, entries (all verified locally).",
    subcommands = {CtCommand.Sth.class, CtCommand.Proof.class, CtCommand.ConsistencyCmd.class, CtCommand.Get.class})
final class CtCommand {

  @Command(name = "sth", description = "The log's signed tree head, its signature checked.")
  static final class Sth implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Override
    public Integer call() {
      TrustChainResponse.TreeHead head = expect(node.sendTrustChain(new TrustChainRequest.GetTreeHead()),
          TrustChainResponse.TreeHead.class);
      LogKey key = LogKey.of(node, head.logPublicKey());
      String verdict = key.check(head.head());
      Map<String, Object> json = headJson(head.head());
      json.put("signature", verdict);
      AssetCommand.print(node.json, json, describe(head.head()) + "\n" + verdict);
      return 0;
    }
  }

  @Command(name = "proof", description = "Inclusion proof of a logged certificate (or a leaf index), verified locally.")
  static final class Proof implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--cert", description = "Certificate file (PEM, leaf first, or DER).")
    Path cert;

    @Option(names = "--index", description = "Leaf index instead of --cert.")
    Long index;

    @Option(names = "--size", defaultValue = "0", description = "Tree size to prove against; 0 = current. Default: ${DEFAULT-VALUE}.")
    long size;

    @Override
    public Integer call() {
      if ((cert == null) == (index == null)) {
        throw new CliException("give exactly one of --cert FILE and --index N", 2);
      }
      byte[] der = cert == null ? null : leafDer(cert);
      TrustChainRequest request = der != null ? new TrustChainRequest.ProofByCertificate(der, size)
          : new TrustChainRequest.ProofByIndex(index, size);
      TrustChainResponse.InclusionProof proof = expect(node.sendTrustChain(request), TrustChainResponse.InclusionProof.class);
      LogKey key = LogKey.of(node, proof.logPublicKey());
      String headVerdict = key.check(proof.head());
      if (der != null && !java.util.Arrays.equals(der, proof.entry())) {
        throw new CliException("the log returned another entry than the certificate asked for", HyperMeshCli.EXIT_REJECTED);
      }
      ProofVerdict verdict = MerkleProofVerifier.verifyInclusion(proof.head(), proof.leafIndex(),
          MerkleHashes.leafHash(proof.entry()), proof.hashes());
      if (!verdict.isValid()) {
        throw new CliException("inclusion proof FAILED local verification: " + verdict, HyperMeshCli.EXIT_REJECTED);
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("leafIndex", proof.leafIndex());
      json.put("leafHash", ProofEncoding.base64(MerkleHashes.leafHash(proof.entry())));
      json.put("treeSize", proof.head().treeSize());
      json.put("proof", ProofEncoding.encode(proof.hashes()));
      json.put("sth", headJson(proof.head()));
      json.put("verified", "inclusion proof verified locally (MerkleProofVerifier); " + headVerdict);
      AssetCommand.print(node.json, json, "leaf " + proof.leafIndex() + " is in the tree of " + proof.head().treeSize()
          + "\nproof (base64 hashes): " + ProofEncoding.encode(proof.hashes())
          + "\ninclusion proof verified locally (MerkleProofVerifier); " + headVerdict);
      return 0;
    }
  }

  @Command(name = "consistency", description = "Consistency proof between two tree sizes, verified locally.")
  static final class ConsistencyCmd implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--from", required = true, description = "Older tree size (>= 1).")
    long from;

    @Option(names = "--to", defaultValue = "0", description = "Newer tree size; 0 = current. Default: ${DEFAULT-VALUE}.")
    long to;

    @Override
    public Integer call() {
      TrustChainResponse.ConsistencyProof proof = expect(node.sendTrustChain(new TrustChainRequest.Consistency(from, to)),
          TrustChainResponse.ConsistencyProof.class);
      LogKey key = LogKey.of(node, proof.logPublicKey());
      String first = key.check(proof.from());
      key.check(proof.to());
      ProofVerdict verdict = MerkleProofVerifier.verifyConsistency(proof.from(), proof.to(), proof.hashes());
      if (!verdict.isValid()) {
        throw new CliException("consistency proof FAILED local verification: " + verdict, HyperMeshCli.EXIT_REJECTED);
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("from", headJson(proof.from()));
      json.put("to", headJson(proof.to()));
      json.put("proof", ProofEncoding.encode(proof.hashes()));
      json.put("verified", "consistency proof verified locally (MerkleProofVerifier); both heads: " + first);
      AssetCommand.print(node.json, json, "tree " + proof.from().treeSize() + " is a prefix of tree " + proof.to().treeSize()
          + "\nproof (base64 hashes): " + ProofEncoding.encode(proof.hashes())
          + "\nconsistency proof verified locally (MerkleProofVerifier); both heads: " + first);
      return 0;
    }
  }

  @Command(name = "get", description = "Log entries start..end (inclusive), as certificates.")
  static final class Get implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--start", required = true)
    long start;

    @Option(names = "--end", required = true)
    long end;

    @Override
    public Integer call() {
      TrustChainResponse.Entries entries = expect(node.sendTrustChain(new TrustChainRequest.GetEntries(start, end)),
          TrustChainResponse.Entries.class);
      List<Map<String, Object>> json = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      long index = entries.start();
      for (byte[] entry : entries.entries()) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("index", index);
        item.put("leafHash", ProofEncoding.base64(MerkleHashes.leafHash(entry)));
        X509Certificate certificate = parseOrNull(entry);
        if (certificate != null) {
          item.put("serial", certificate.getSerialNumber().toString(16));
          item.put("subject", certificate.getSubjectX500Principal().getName());
          item.put("notAfter", certificate.getNotAfter().toInstant().toString());
          item.put("pem", PqPem.certificates(List.of(certificate)));
        } else {
          item.put("base64", ProofEncoding.base64(entry));
        }
        json.add(item);
        text.append(index).append(": ").append(certificate == null ? entry.length + " bytes (not a certificate)"
            : certificate.getSubjectX500Principal().getName() + " serial " + certificate.getSerialNumber().toString(16))
            .append('\n');
        index++;
      }
      AssetCommand.print(node.json, json, text.toString().stripTrailing());
      return 0;
    }
  }

  /** The log key used for checks and where it came from. */
  record LogKey(PublicKey key, boolean pinned, Path file) {
    static LogKey of(NodeOptions node, byte[] sent) {
      Path file = TrustChainKeys.logPublicKey(node.identityDirectory());
      try {
        if (Files.exists(file)) {
          return new LogKey(TrustChainKeys.readPublicKey(file), true, file);
        }
        return new LogKey(TrustChainKeys.decodePublicKey(sent), false, null);
      } catch (IOException | IllegalArgumentException e) {
        throw new CliException("log key: " + e.getMessage());
      }
    }

    /** Verifies a head's signature or ends the command; the verdict as one phrase. */
    String check(SignedTreeHead head) {
      LogSignatureVerdict verdict = head.verify(key);
      if (!verdict.isValid()) {
        throw new CliException("tree head signature FAILED: " + verdict, HyperMeshCli.EXIT_REJECTED);
      }
      return pinned ? "STH signature verified with the pinned log key " + file
          : "STH signature verified with the key the node sent (not pinned: no trustchain-log.pub in --identity)";
    }
  }

  static Map<String, Object> headJson(SignedTreeHead head) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("treeSize", head.treeSize());
    json.put("timestamp", Instant.ofEpochMilli(head.timestampMillis()).toString());
    json.put("rootHash", ProofEncoding.base64(head.rootHash()));
    json.put("logId", ProofEncoding.base64(head.logId()));
    json.put("signature", ProofEncoding.base64(head.signature()));
    return json;
  }

  static String describe(SignedTreeHead head) {
    return "tree size " + head.treeSize() + ", root " + ProofEncoding.base64(head.rootHash()) + ", at "
        + Instant.ofEpochMilli(head.timestampMillis()) + ", log " + ProofEncoding.base64(head.logId());
  }

  static <T extends TrustChainResponse> T expect(TrustChainResponse response, Class<T> type) {
    if (type.isInstance(response)) {
      return type.cast(response);
    }
    if (response instanceof TrustChainResponse.Rejected rejected) {
      throw new CliException(rejected.message() + " (" + rejected.reason() + ")", HyperMeshCli.EXIT_REJECTED);
    }
    throw new CliException("unexpected reply " + response.getClass().getSimpleName());
  }

  /** The leaf certificate of a PEM file (first block) or a DER file, as DER. */
  static byte[] leafDer(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      String text = new String(bytes, StandardCharsets.US_ASCII);
      if (text.contains("-----BEGIN CERTIFICATE-----")) {
        return PqPem.readCertificates(text).get(0).getEncoded();
      }
      X509Certificate certificate = parseOrNull(bytes);
      if (certificate == null) {
        throw new CliException(file + " is neither a PEM nor a DER certificate");
      }
      return bytes;
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    } catch (CertificateException | IllegalArgumentException e) {
      throw new CliException(file + ": " + e.getMessage());
    }
  }

  static X509Certificate parseOrNull(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509", online.hypermesh.protocol.crypto.Pq.BC)
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      return null;
    }
  }
}
