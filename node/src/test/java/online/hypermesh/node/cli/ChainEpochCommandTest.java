package online.hypermesh.node.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import online.hypermesh.protocol.consensus.bft.Digest;
import online.hypermesh.protocol.consensus.bft.EpochChange;
import online.hypermesh.protocol.consensus.bft.FalconVerifier;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.crypto.PqPem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `chain epoch sign` and `submit` offline: a validator's operator signs the proposal with the
 * validator's key, the signature verifies over what validators check, and every mistake (a
 * stranger's certificate, a key that is not the certificate's, too few signatures, a broken file,
 * no next set named) is refused with the reason and usage exit code before anything is sent.
 */
class ChainEpochCommandTest {

  private static final HexFormat HEX = HexFormat.of();

  @TempDir
  Path dir;

  private Path[] write(Identity id, String name) throws Exception {
    Path key = dir.resolve(name + ".key");
    Path cert = dir.resolve(name + ".crt");
    PqPem.writePrivateKey(key, id.privateKey());
    PqPem.writeCertificates(cert, id.chain());
    return new Path[] {key, cert};
  }

  @Test
  void operatorsSignOfflineAndMistakesAreRefusedBeforeSending() throws Exception {
    NodeLocalCa ca = NodeLocalCa.create("epoch test CA", Duration.ofDays(1));
    List<Identity> validators = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      validators.add(ca.issueIdentity(LeafSpec.of("node-" + i, CertificateRole.NODE, List.of(),
          List.of(InetAddress.getByName("::1")), Duration.ofDays(1))));
    }
    Digest signingId = Digest.sha256("epoch test chain".getBytes());
    Properties p = new Properties();
    p.setProperty("chain", signingId.hex());
    p.setProperty("epoch", "0");
    p.setProperty("signing-chain-id", signingId.hex());
    p.setProperty("quorum", "3");
    List<byte[]> next = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      byte[] key = validators.get(i).leaf().getPublicKey().getEncoded();
      p.setProperty("current." + i, HEX.formatHex(key));
      if (i > 0) {
        p.setProperty("next." + (i - 1), HEX.formatHex(key));
        next.add(key);
      }
    }
    Path proposal = dir.resolve("change.properties");
    try (var w = Files.newBufferedWriter(proposal)) {
      p.store(w, null);
    }
    String[] none = {};

    Path[] v2 = write(validators.get(2), "node-2");
    InProcessCli.Result signed = InProcessCli.run(none, "chain", "epoch", "sign",
        proposal.toString(), "--key", v2[0].toString(), "--cert", v2[1].toString());
    assertEquals(0, signed.code(), signed.out() + signed.err());
    assertTrue(signed.out().contains("signed as validator 2 of epoch 0; 1 of 3"), signed.out());
    Properties back = new Properties();
    try (var r = Files.newBufferedReader(proposal)) {
      back.load(r);
    }
    byte[] signature = HEX.parseHex(back.getProperty("signature.2"));
    assertTrue(new FalconVerifier().verify(validators.get(2).leaf().getPublicKey().getEncoded(),
        EpochChange.signingBytes(signingId, 0, next), signature));

    // Too few signatures: refused before any connection (the --node is a closed port).
    String[] node = {"--node", "[::1]:9", "--identity", dir.toString()};
    InProcessCli.Result early = InProcessCli.run(node, "chain", "epoch", "submit",
        proposal.toString());
    assertEquals(2, early.code(), early.out() + early.err());
    assertTrue(early.err().contains("has 1 signature(s); epoch 0 needs a quorum of 3"),
        early.err());

    Identity stranger = ca.issueIdentity(LeafSpec.of("stranger", CertificateRole.NODE,
        List.of(), List.of(InetAddress.getByName("::1")), Duration.ofDays(1)));
    Path[] s = write(stranger, "stranger");
    InProcessCli.Result notAValidator = InProcessCli.run(none, "chain", "epoch", "sign",
        proposal.toString(), "--key", s[0].toString(), "--cert", s[1].toString());
    assertEquals(2, notAValidator.code(), notAValidator.err());
    assertTrue(notAValidator.err().contains("is not of a validator of epoch 0"),
        notAValidator.err());

    Path[] v1 = write(validators.get(1), "node-1");
    InProcessCli.Result wrongKey = InProcessCli.run(none, "chain", "epoch", "sign",
        proposal.toString(), "--key", s[0].toString(), "--cert", v1[1].toString());
    assertEquals(2, wrongKey.code(), wrongKey.err());
    assertTrue(wrongKey.err().contains("does not belong to the certificate"), wrongKey.err());

    Path broken = dir.resolve("broken.properties");
    Files.writeString(broken, "epoch=zero\n");
    InProcessCli.Result unreadable = InProcessCli.run(none, "chain", "epoch", "sign",
        broken.toString(), "--key", v1[0].toString(), "--cert", v1[1].toString());
    assertEquals(2, unreadable.code(), unreadable.err());
    assertTrue(unreadable.err().contains("cannot read the proposal"), unreadable.err());

    InProcessCli.Result neither = InProcessCli.run(node, "chain", "epoch", "propose", "--out",
        dir.resolve("x").toString());
    assertEquals(2, neither.code(), neither.err());
    assertTrue(neither.err().contains("--member NAME... or leave validators out"), neither.err());

    // The refused attempts left the file as it was: one signature.
    Properties after = new Properties();
    try (var r = Files.newBufferedReader(proposal)) {
      after.load(r);
    }
    assertArrayEquals(signature, HEX.parseHex(after.getProperty("signature.2")));
    assertEquals(null, after.getProperty("signature.1"));
  }
}
