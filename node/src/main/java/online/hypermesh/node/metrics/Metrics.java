package online.hypermesh.node.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * The node's Prometheus registry, one per ActorSystem (several nodes may share a JVM in tests, so
 * not the JVM-wide default registry), served in the Prometheus text format at {@code GET
 * /metrics} on the Pekko Management port: no port of its own.
 */
public final class Metrics implements Extension, ManagementRouteProvider {

  public static final Id ID = new Id();

  private static final ContentType TEXT =
      ContentTypes.parse(PrometheusTextFormatWriter.CONTENT_TYPE);

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public static Metrics get(org.apache.pekko.actor.ActorSystem system) {
    return ID.get(system);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The current values in the text exposition format. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write metrics: " + e, e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return Directives.path("metrics", () -> Directives.get(() ->
        Directives.complete(StatusCodes.OK, HttpEntities.create(TEXT, scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8)))));
  }

  /** The extension id; also what pekko.management.http.routes names. */
  public static final class Id extends AbstractExtensionId<Metrics> implements ExtensionIdProvider {
    @Override
    public Metrics createExtension(ExtendedActorSystem system) {
      return new Metrics();
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
