package online.hypermesh.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import online.hypermesh.protocol.crypto.CertificateRole;
import online.hypermesh.protocol.crypto.CertificateVerifier;
import online.hypermesh.protocol.crypto.Identity;
import online.hypermesh.protocol.crypto.LeafSpec;
import online.hypermesh.protocol.crypto.NodeLocalCa;
import online.hypermesh.protocol.stoq.StoqError;
import online.hypermesh.protocol.stoq.StoqException;
import online.hypermesh.protocol.stoq.StoqPeer;
import online.hypermesh.protocol.stoq.StoqSettings;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which host a node certificate may claim in its cluster address: IP SANs for literals, DNS SANs for names. */
class RemotingAdmissionTest {

  private static NodeLocalCa ca;
  private static RemotingAdmission admission;

  @BeforeAll
  static void authority() {
    ca = NodeLocalCa.create("admission test CA", Duration.ofDays(1));
    admission = new RemotingAdmission(new CertificateVerifier(ca.certificate(), Set.of()), "HyperMesh", "tcp");
  }

  private static StoqPeer peer(String commonName, List<String> dnsNames, List<InetAddress> addresses) {
    Identity identity = ca.issueIdentity(
        LeafSpec.of(commonName, CertificateRole.NODE, dnsNames, addresses, Duration.ofHours(1)));
    return new StoqPeer(true, commonName, CertificateRole.NODE, identity.chain(),
        new InetSocketAddress(StoqSettings.ipv6("::1"), 40000));
  }

  private static String opening(String host) {
    return RemotingAdmission.OPEN_PREFIX + new Address("tcp", "HyperMesh", host, 8443);
  }

  private static StoqException refused(StoqPeer peer, String host) {
    StoqException e = assertThrows(StoqException.class, () -> admission.admit(peer, opening(host)));
    assertEquals(StoqError.UNAUTHENTICATED, e.error());
    return e;
  }

  @Test
  void aDnsHostMustBeADnsSubjectAltNameExactlyButCaseInsensitively() {
    StoqPeer pod = peer("hypermesh-0", List.of("hypermesh-0.hypermesh-nodes.prod.svc.cluster.local"), List.of());

    assertEquals("hypermesh-0.hypermesh-nodes.prod.svc.cluster.local",
        admission.admit(pod, opening("hypermesh-0.hypermesh-nodes.prod.svc.cluster.local")).host().get());
    assertEquals(8443,
        admission.admit(pod, opening("Hypermesh-0.HYPERMESH-NODES.prod.svc.cluster.local")).port().get());

    assertTrue(refused(pod, "hypermesh-1.hypermesh-nodes.prod.svc.cluster.local").getMessage()
        .contains("does not name hypermesh-1.hypermesh-nodes.prod.svc.cluster.local"));
    // A longer or shorter name is another name.
    refused(pod, "hypermesh-0.hypermesh-nodes.prod.svc.cluster.local.evil");
    refused(pod, "hypermesh-nodes.prod.svc.cluster.local");
  }

  @Test
  void theCommonNameAloneDoesNotMakeAClusterHost() {
    StoqPeer pod = peer("hypermesh-0", List.of("hypermesh-0.hypermesh-nodes.prod.svc.cluster.local"), List.of());
    StoqException e = refused(pod, "hypermesh-0");
    assertTrue(e.getMessage().contains("hypermesh-0 is not a DNS name in its subjectAltName"), e.getMessage());
  }

  @Test
  void wildcardNamesMatchNothing() {
    StoqPeer wildcard = peer("hypermesh-0", List.of("*.hypermesh-nodes.prod.svc.cluster.local"), List.of());
    refused(wildcard, "hypermesh-0.hypermesh-nodes.prod.svc.cluster.local");
  }

  @Test
  void anIpHostMustBeAnIpSubjectAltNameNotADnsName() {
    StoqPeer byAddress = peer("node-1", List.of("node-1.hypermesh.online"),
        List.of(StoqSettings.ipv6("2001:db8::1")));
    assertEquals("[2001:db8::1]", admission.admit(byAddress, opening("[2001:db8::1]")).host().get());
    assertTrue(refused(byAddress, "[2001:db8::2]").getMessage().contains("does not name 2001:db8::2"));

    StoqPeer byName = peer("node-2", List.of("2001:db8::2"), List.of());
    refused(byName, "[2001:db8::2]");
  }
}
