package online.hypermesh.node.bootstrap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * The node's bootstrap progress: the node's parts record their checks here as they start and as
 * the cluster changes; Pekko Management serves it at {@code GET /bootstrap} (JSON, 200 when every
 * phase is reached, 503 otherwise, like the health endpoints), which `hypermesh status` reads.
 */
public final class Bootstrap implements Extension, ManagementRouteProvider {

  public static final Id ID = new Id();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, BootstrapCheck> checks = new ConcurrentHashMap<>();

  public static Bootstrap get(org.apache.pekko.actor.ActorSystem system) {
    return ID.get(system);
  }

  public static Bootstrap get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return ID.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
  }

  /** Records (or replaces) a check, keyed by its name. */
  public void record(BootstrapCheck check) {
    checks.put(check.name(), check);
  }

  public BootstrapReport report() {
    return BootstrapReport.of(new ArrayList<>(checks.values()));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return Directives.path("bootstrap", () -> Directives.get(() -> {
      BootstrapReport report = report();
      return Directives.complete(
          report.complete() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
          HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(report)));
    }));
  }

  static String toJson(BootstrapReport report) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("phase", report.phase());
    json.put("title", report.phaseTitle());
    json.put("complete", report.complete());
    if (report.blockedBy() != null) {
      json.put("blockedBy", check(report.blockedBy()));
    }
    List<Object> all = new ArrayList<>();
    report.checks().forEach(c -> all.add(check(c)));
    json.put("checks", all);
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> check(BootstrapCheck check) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("phase", check.phase().number());
    json.put("name", check.name());
    json.put("passed", check.passed());
    json.put("detail", check.detail());
    return json;
  }

  /** The extension id; also what pekko.management.http.routes names, so Management can find it. */
  public static final class Id extends AbstractExtensionId<Bootstrap> implements ExtensionIdProvider {
    @Override
    public Bootstrap createExtension(ExtendedActorSystem system) {
      return new Bootstrap();
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
