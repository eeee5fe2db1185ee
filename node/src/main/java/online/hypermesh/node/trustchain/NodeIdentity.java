package online.hypermesh.node.trustchain;

import online.hypermesh.node.StoqSettingsFromConfig;
import online.hypermesh.protocol.crypto.PqPem;
import online.hypermesh.protocol.stoq.StoqIdentity;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The node's current STOQ identity (FALCON key, TrustChain certificate chain, trust anchor), one per
 * ActorSystem, so every part that presents it sees a renewal: the STOQ server, Artery's TLS provider
 * (which Pekko creates before the node's code runs, hence an extension), the bootstrap checks and
 * the metrics. Loaded from {@code hypermesh.stoq.identity} on first use.
 */
public final class NodeIdentity implements Extension {

  private static final Logger log = LoggerFactory.getLogger(NodeIdentity.class);

  public static final Id ID = new Id();

  private final AtomicReference<StoqIdentity> current;
  private final Path certificateFile;
  private final List<Consumer<StoqIdentity>> listeners = new CopyOnWriteArrayList<>();

  NodeIdentity(StoqIdentity initial, Path certificateFile) {
    this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    this.certificateFile = certificateFile;
  }

  public static NodeIdentity get(ActorSystem system) {
    return ID.get(system);
  }

  public StoqIdentity current() {
    return current.get();
  }

  public X509Certificate certificate() {
    return current.get().chain().get(0);
  }

  /** Called with every new identity, after it is current. */
  public void onChange(Consumer<StoqIdentity> listener) {
    listeners.add(listener);
  }

  /**
   * Makes {@code chain} (leaf first, for the same key) current, tells the listeners, and writes it to
   * the node's certificate file so a restart starts with it. A file that cannot be written (a read-only
   * Secret mount) is logged; the node keeps serving with the new chain in memory.
   *
   * @return whether the file was written
   */
  public boolean replaceChain(List<X509Certificate> chain) {
    StoqIdentity previous = current.get();
    if (!Arrays.equals(chain.get(0).getPublicKey().getEncoded(), previous.chain().get(0).getPublicKey().getEncoded())) {
      throw new IllegalArgumentException("a renewed certificate must be for the node's own key");
    }
    StoqIdentity renewed = new StoqIdentity(previous.falconKey(), chain, previous.trustAnchor(), previous.revoked());
    current.set(renewed);
    for (Consumer<StoqIdentity> listener : listeners) {
      try {
        listener.accept(renewed);
      } catch (RuntimeException e) {
        log.error("a user of the node identity failed to take the renewed certificate", e);
      }
    }
    if (certificateFile == null) {
      return false;
    }
    try {
      writeChain(certificateFile, chain);
      return true;
    } catch (IOException | RuntimeException e) {
      log.warn("renewed certificate not written to {} ({}); a restart would use the previous one", certificateFile,
          e.toString());
      return false;
    }
  }

  /** Replaces a chain file atomically, so a reader (a restarting node) never sees half of one. */
  public static void writeChain(Path file, List<X509Certificate> chain) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    PqPem.writeCertificates(tmp, chain);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static final class Id extends AbstractExtensionId<NodeIdentity> implements ExtensionIdProvider {
    @Override
    public NodeIdentity createExtension(ExtendedActorSystem system) {
      var config = system.settings().config();
      String file = config.getString("hypermesh.stoq.identity.cert-file");
      return new NodeIdentity(StoqSettingsFromConfig.identity(config), file.isEmpty() ? null : Path.of(file));
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
