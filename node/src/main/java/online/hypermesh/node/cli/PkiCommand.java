package online.hypermesh.node.cli;

import com.typesafe.config.Config;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import online.hypermesh.node.NodeConfig;
import online.hypermesh.node.local.DevPki;
import online.hypermesh.protocol.stoq.IdentityFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Key material for deployments, from the same TrustChain keys and issuance path `up` uses (DevPki). */
@Command(name = "pki", description = "Issue the key material of a deployment.",
    subcommands = {PkiCommand.Kubernetes.class})
final class PkiCommand {

  /**
   * The files of the Secret `hypermesh-pki` (deploy/kubernetes/hypermesh.yaml): the TrustChain key
   * set, created in DIR or reused if DIR has one, and per pod of the StatefulSet a node certificate
   * whose DNS subjectAltName is the pod's stable name under the headless Service, which the pod
   * uses as the host of its cluster address (hypermesh.node.canonical-host). The short pod name is
   * the common name: TrustChain issues DNS names only under its suffix, which kubernetes.conf sets
   * to svc.cluster.local. No IP address: pod IPs change on every restart.
   */
  @Command(name = "kubernetes", description = {
      "Write the Secret's files for a Kubernetes StatefulSet: the TrustChain key set (created in --out, or reused) "
          + "and per pod STATEFULSET-N.key/.crt, a node certificate for POD.SERVICE.NAMESPACE.svc.CLUSTER_DOMAIN.",
      "Then: kubectl create secret generic hypermesh-pki --from-file=DIR"})
  static final class Kubernetes implements Callable<Integer> {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    @Option(names = "--replicas", required = true, description = "Pods of the StatefulSet (1-100).")
    int replicas;

    @Option(names = "--namespace", defaultValue = "default", description = "Namespace of the pods. Default: ${DEFAULT-VALUE}.")
    String namespace;

    @Option(names = "--service", defaultValue = "hypermesh-nodes",
        description = "Headless Service of the StatefulSet (its serviceName). Default: ${DEFAULT-VALUE}.")
    String service;

    @Option(names = "--statefulset", defaultValue = "hypermesh", description = "StatefulSet name (pods are NAME-0, NAME-1, ...). Default: ${DEFAULT-VALUE}.")
    String statefulSet;

    @Option(names = "--cluster-domain", defaultValue = "cluster.local",
        description = "The Kubernetes cluster's DNS domain. Default: ${DEFAULT-VALUE}; another one needs "
            + "HYPERMESH_TRUSTCHAIN_DNS_SUFFIX=svc.DOMAIN on the pods.")
    String clusterDomain;

    @Option(names = "--region", defaultValue = "datacenter1", description = "Region of the nodes (HYPERMESH_REGION). Default: ${DEFAULT-VALUE}.")
    String region;

    @Option(names = "--validity", description = "Validity of the pod certificates, e.g. 24h (at most trustchain.max-validity.node). "
        + "Default: hypermesh.node.certificate-validity.")
    String validity;

    @Option(names = "--out", required = true, description = "Directory to write into.")
    Path out;

    private final PrintStream stdout = System.out;

    @Override
    public Integer call() throws Exception {
      if (replicas < 1 || replicas > 100) {
        throw new CliException("--replicas must be between 1 and 100, got " + replicas, 2);
      }
      for (String label : List.of(namespace, service, statefulSet)) {
        if (!LABEL.matcher(label).matches()) {
          throw new CliException("'" + label + "' is not a DNS label (lower-case letters, digits, '-')", 2);
        }
      }
      if (!Pattern.compile(LABEL.pattern() + "(\\." + LABEL.pattern() + ")*").matcher(clusterDomain).matches()) {
        throw new CliException("--cluster-domain '" + clusterDomain + "' is not a lower-case DNS name", 2);
      }
      Config config;
      try {
        config = NodeConfig.fromString("include classpath(\"kubernetes.conf\")\n"
            + "hypermesh.trustchain.dns-suffix = \"svc." + clusterDomain + "\"\n"
            + "hypermesh.node.region = \"" + region + "\"\n"
            + (validity == null ? "" : "hypermesh.node.certificate-validity = \"" + validity + "\"\n"));
      } catch (NodeConfig.InvalidConfigException e) {
        throw new CliException(e.getMessage(), 2);
      }
      Path dir = out.toAbsolutePath().normalize();
      DevPki pki = DevPki.openOrCreate(dir, config);
      Duration certificateValidity = config.getDuration("hypermesh.node.certificate-validity");
      for (int i = 0; i < replicas; i++) {
        String pod = statefulSet + "-" + i;
        String name = podDnsName(pod, service, namespace, clusterDomain);
        IdentityFiles files;
        try {
          files = pki.issueNode(pod, List.of(name), List.of(), region, certificateValidity);
        } catch (IllegalArgumentException refused) {
          throw new CliException(refused.getMessage());
        }
        stdout.println(files.chain().getFileName() + ": " + pod + " (" + name + "), valid " + certificateValidity.toString().substring(2).toLowerCase(java.util.Locale.ROOT));
      }
      stdout.println("TrustChain keys and trust anchor in " + dir + " (" + DevPki.trustAnchor(dir).getFileName() + ")");
      stdout.println("next: kubectl -n " + namespace + " create secret generic hypermesh-pki --from-file=" + dir);
      return 0;
    }

    /** The stable name a StatefulSet pod has under its headless Service. */
    static String podDnsName(String pod, String service, String namespace, String clusterDomain) {
      return pod + "." + service + "." + namespace + ".svc." + clusterDomain;
    }
  }
}
