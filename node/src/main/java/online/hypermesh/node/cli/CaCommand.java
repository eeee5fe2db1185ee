package online.hypermesh.node.cli;

import online.hypermesh.node.trustchain.TrustChainKeys;
import online.hypermesh.protocol.crypto.CertificateRejectedException;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Falcon;
import online.hypermesh.protocol.crypto.PqPem;
import online.hypermesh.protocol.trustchain.CertificateRequestSpec;
import online.hypermesh.protocol.trustchain.LogSignatureVerdict;
import online.hypermesh.protocol.trustchain.MerkleHashes;
import online.hypermesh.protocol.trustchain.ProofEncoding;
import online.hypermesh.protocol.trustchain.SigningRequests;
import online.hypermesh.protocol.trustchain.TrustChainRequest;
import online.hypermesh.protocol.trustchain.TrustChainResponse;
import online.hypermesh.protocol.trustchain.TrustRole;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** TrustChain's certificate authority over STOQ: issue (from a CSR or a fresh key), revoke, status. */
@Command(name = "ca", description = "TrustChain certificate authority: issue, revoke, status.",
    subcommands = {CaCommand.Issue.class, CaCommand.Revoke.class, CaCommand.Status.class})
final class CaCommand {

  @Command(name = "issue", description = {"Issue a certificate, logged in the CT log before it is returned.",
      "--csr FILE sends your PKCS#10 request (PEM or DER, FALCON-1024); --name NAME makes a FALCON-1024 key and "
          + "its request here (the key never leaves this machine)."})
  static final class Issue implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    static final class Source {
      @Option(names = "--csr", description = "PKCS#10 request file (PEM or DER).")
      Path csr;

      @Option(names = "--name", description = "Common name for a new key and request.")
      String name;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--role", defaultValue = "node", description = "With --name: node, validator or user. Default: ${DEFAULT-VALUE}.")
    String role;

    @Option(names = "--region", defaultValue = "local", description = "With --name: region (subject L). Default: ${DEFAULT-VALUE}.")
    String region;

    @Option(names = "--dns", split = ",", description = "With --name: DNS names (default: NAME if it has a dot).")
    List<String> dns;

    @Option(names = "--ip", split = ",", description = "With --name: IPv6 addresses.")
    List<String> ips;

    @Option(names = "--validity", defaultValue = "0", description = "Seconds; 0 = the role's maximum (nodes: 24 h). Default: ${DEFAULT-VALUE}.")
    long validitySeconds;

    @Option(names = "--out", defaultValue = ".", description = "Folder for NAME.crt (PEM chain), NAME.der (leaf) and, with --name, NAME.key. Default: current folder.")
    Path out;

    @Override
    public Integer call() {
      byte[] csrDer;
      KeyPair keys = null;
      String baseName;
      if (source.csr != null) {
        csrDer = readCsr(source.csr);
        String file = source.csr.getFileName().toString();
        baseName = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
      } else {
        TrustRole trustRole = TrustRole.fromUnit(role)
            .orElseThrow(() -> new CliException("--role must be node, validator or user", 2));
        List<String> names = dns != null ? dns : source.name.contains(".") ? List.of(source.name) : List.of();
        List<InetAddress> addresses = new ArrayList<>();
        for (String ip : ips == null ? List.<String>of() : ips) {
          addresses.add(address(ip));
        }
        keys = Falcon.generateKeyPair();
        csrDer = SigningRequests.toDer(SigningRequests.create(keys,
            new CertificateRequestSpec(source.name, trustRole, names, addresses, region)));
        baseName = source.name;
      }
      TrustChainResponse.Issued issued = CtCommand.expect(
          node.sendTrustChain(new TrustChainRequest.Issue(csrDer, validitySeconds)), TrustChainResponse.Issued.class);
      X509Certificate leaf = CtCommand.parseOrNull(issued.certificateDer());
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(leaf);
      for (byte[] der : issued.chainDer()) {
        chain.add(CtCommand.parseOrNull(der));
      }
      if (chain.contains(null)) {
        throw new CliException("the node returned a certificate that does not parse");
      }
      String chainVerdict = verifyChain(node, chain);
      CtCommand.LogKey logKey = CtCommand.LogKey.of(node, issued.logPublicKey());
      LogSignatureVerdict receiptVerdict = issued.receipt().verify(logKey.key(), MerkleHashes.leafHash(issued.certificateDer()));
      if (!receiptVerdict.isValid()) {
        throw new CliException("log receipt FAILED verification: " + receiptVerdict, HyperMeshCli.EXIT_REJECTED);
      }
      String receiptText = "log receipt verified with " + (logKey.pinned() ? "the pinned log key " + logKey.file()
          : "the key the node sent (not pinned)");
      try {
        Files.createDirectories(out);
        PqPem.writeCertificates(out.resolve(baseName + ".crt"), chain);
        Files.write(out.resolve(baseName + ".der"), issued.certificateDer());
        if (keys != null) {
          Path key = out.resolve(baseName + ".key");
          Files.deleteIfExists(key);
          Files.createFile(key);
          try {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
          } catch (UnsupportedOperationException notPosix) {
            // keep the file system's default
          }
          PqPem.writePrivateKey(key, keys.getPrivate());
        }
      } catch (IOException e) {
        throw new CliException("cannot write to " + out + ": " + e.getMessage());
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("serial", leaf.getSerialNumber().toString(16));
      json.put("subject", leaf.getSubjectX500Principal().getName());
      json.put("notBefore", leaf.getNotBefore().toInstant().toString());
      json.put("notAfter", leaf.getNotAfter().toInstant().toString());
      json.put("certificate", out.resolve(baseName + ".crt").toString());
      json.put("leafIndex", issued.receipt().leafIndex());
      json.put("receipt", Map.of("logId", ProofEncoding.base64(issued.receipt().logId()),
          "timestamp", Instant.ofEpochMilli(issued.receipt().timestampMillis()).toString(),
          "leafIndex", issued.receipt().leafIndex(),
          "signature", ProofEncoding.base64(issued.receipt().signature())));
      json.put("verified", chainVerdict + "; " + receiptText);
      AssetCommand.print(node.json, json, "issued serial " + leaf.getSerialNumber().toString(16) + " to "
          + leaf.getSubjectX500Principal().getName() + ", valid until " + leaf.getNotAfter().toInstant()
          + "\nlogged at index " + issued.receipt().leafIndex() + "; wrote " + out.resolve(baseName + ".crt")
          + (keys != null ? " and " + out.resolve(baseName + ".key") : "")
          + "\n" + chainVerdict + "; " + receiptText);
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke a certificate with an RFC 5280 reason.")
  static final class Revoke implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--serial", required = true, description = "Serial number (hex).")
    String serial;

    @Option(names = "--reason", required = true, description = "unspecified, keyCompromise, cACompromise, "
        + "affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn.")
    String reason;

    @Override
    public Integer call() {
      TrustChainResponse.Revoked revoked = CtCommand.expect(node.sendTrustChain(
          new TrustChainRequest.Revoke(serial, reason)), TrustChainResponse.Revoked.class);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("serial", revoked.serialHex());
      json.put("reason", revoked.reason().rfcName());
      json.put("revokedAt", Instant.ofEpochMilli(revoked.revokedAtMillis()).toString());
      AssetCommand.print(node.json, json, "revoked " + revoked.serialHex() + " (" + revoked.reason().rfcName() + ") at "
          + Instant.ofEpochMilli(revoked.revokedAtMillis()));
      return 0;
    }
  }

  @Command(name = "status", description = "OCSP-like status of a certificate: good, revoked (reason, time) or unknown.")
  static final class Status implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    static final class Which {
      @Option(names = "--serial", description = "Serial number (hex).")
      String serial;

      @Option(names = "--cert", description = "Certificate file (PEM or DER).")
      Path cert;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Override
    public Integer call() {
      String serial = which.serial != null ? which.serial
          : CtCommand.parseOrNull(CtCommand.leafDer(which.cert)).getSerialNumber().toString(16);
      TrustChainResponse.Status status = CtCommand.expect(node.sendTrustChain(new TrustChainRequest.Status(serial)),
          TrustChainResponse.Status.class);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("serial", status.serialHex());
      json.put("status", status.state().name().toLowerCase());
      StringBuilder text = new StringBuilder(status.serialHex() + ": " + status.state().name().toLowerCase());
      if (status.state() != TrustChainResponse.CertificateState.UNKNOWN) {
        json.put("leafIndex", status.leafIndex());
        json.put("notAfter", Instant.ofEpochMilli(status.notAfterMillis()).toString());
        text.append(", logged at index ").append(status.leafIndex()).append(", valid until ")
            .append(Instant.ofEpochMilli(status.notAfterMillis()));
      }
      if (status.state() == TrustChainResponse.CertificateState.REVOKED) {
        json.put("reason", status.reason().rfcName());
        json.put("revokedAt", Instant.ofEpochMilli(status.revokedAtMillis()).toString());
        text.append(", revoked (").append(status.reason().rfcName()).append(") at ")
            .append(Instant.ofEpochMilli(status.revokedAtMillis()));
      }
      AssetCommand.print(node.json, json, text.toString());
      return 0;
    }
  }

  /** Checks the returned chain against the pinned root (trustchain-root.crt in --identity) or, lacking one, its own root. */
  private static String verifyChain(NodeOptions node, List<X509Certificate> chain) {
    Path pinned = TrustChainKeys.rootCertificate(node.identityDirectory());
    X509Certificate anchor;
    String where;
    try {
      if (Files.exists(pinned)) {
        anchor = PqPem.readCertificates(pinned).get(0);
        where = "the pinned root " + pinned;
      } else {
        anchor = chain.get(chain.size() - 1);
        where = "the root the node sent (not pinned: no trustchain-root.crt in --identity)";
      }
      new CertificateVerifier(anchor, java.util.Set.<BigInteger>of()).verify(chain, null, null);
      return "chain verified against " + where;
    } catch (CertificateRejectedException e) {
      throw new CliException("the issued chain FAILED verification: " + e, HyperMeshCli.EXIT_REJECTED);
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException("cannot read the TrustChain root " + pinned + ": " + e.getMessage());
    }
  }

  private static byte[] readCsr(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      String text = new String(bytes, StandardCharsets.US_ASCII);
      PKCS10CertificationRequest request = text.contains("-----BEGIN") ? SigningRequests.fromPem(text)
          : SigningRequests.fromDer(bytes);
      return SigningRequests.toDer(request);
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CliException(file + ": " + e.getMessage(), 2);
    }
  }

  private static InetAddress address(String text) {
    if (!text.contains(":")) {
      throw new CliException("--ip takes IPv6 addresses only; got '" + text + "'", 2);
    }
    try {
      return InetAddress.getByName(text.startsWith("[") ? text.substring(1, text.length() - 1) : text);
    } catch (UnknownHostException e) {
      throw new CliException("--ip: '" + text + "' is not an address", 2);
    }
  }
}
