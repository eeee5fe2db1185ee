package online.hypermesh.node.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a node's Pekko Management HTTP endpoints: membership, readiness, liveness, shard regions. */
public final class ManagementClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public record Member(String address, String status, List<String> roles, boolean reachable, String dataCenter) {
  }

  /** Members as this node sees them; empty when the node does not answer. */
  public Optional<List<Member>> members(String managementUrl) {
    return getJson(managementUrl + "/cluster/members").map(body -> {
      List<String> unreachable = new ArrayList<>();
      body.path("unreachable").forEach(u -> unreachable.add(u.path("node").asText()));
      List<Member> members = new ArrayList<>();
      for (JsonNode m : body.path("members")) {
        List<String> roles = new ArrayList<>();
        String dataCenter = "default";
        for (JsonNode role : m.path("roles")) {
          String r = role.asText();
          if (r.startsWith("dc-")) {
            dataCenter = r.substring(3);
          } else if (r.startsWith("hypermesh-dns/")) {
            // The node's DNS publication (name, address, key hash); too long for a roles column.
            roles.add("dns");
          } else {
            roles.add(r);
          }
        }
        String address = m.path("node").asText();
        members.add(new Member(address, m.path("status").asText(), roles, !unreachable.contains(address), dataCenter));
      }
      return members;
    });
  }

  /** HTTP 200 on /ready means: Up in the cluster, Cassandra answers, STOQ serves the layers. */
  public boolean ready(String managementUrl) {
    return status(managementUrl + "/ready") == 200;
  }

  public boolean alive(String managementUrl) {
    return status(managementUrl + "/alive") == 200;
  }

  /** The body of a readiness check, which names the failing check when not ready. */
  public String readyDetail(String managementUrl) {
    return body(managementUrl + "/ready").orElse("no answer");
  }

  /**
   * A node's bootstrap phase: {@code GET /bootstrap}.
   *
   * @param certificate the detail of the node's {@code certificate} check (expiry and renewal), or null
   */
  public record BootstrapState(int phase, String title, boolean complete, String blockedBy, String certificate) {
  }

  /** The node's bootstrap phase and what blocks the next one; empty when the node does not answer. */
  public Optional<BootstrapState> bootstrap(String managementUrl) {
    try {
      HttpResponse<String> response = http.send(request(managementUrl + "/bootstrap"), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200 && response.statusCode() != 503) {
        return Optional.empty();
      }
      JsonNode body = JSON.readTree(response.body());
      JsonNode blocked = body.path("blockedBy");
      String blockedBy = blocked.isMissingNode() ? null
          : blocked.path("name").asText() + ": " + blocked.path("detail").asText();
      String certificate = null;
      for (JsonNode check : body.path("checks")) {
        if (check.path("name").asText().equals("certificate")) {
          certificate = check.path("detail").asText();
        }
      }
      return Optional.of(new BootstrapState(body.path("phase").asInt(-1), body.path("title").asText(),
          body.path("complete").asBoolean(), blockedBy, certificate));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Number of entities of a shard type hosted on this node. */
  public int entityCount(String managementUrl, String typeName) {
    return getJson(managementUrl + "/cluster/shards/" + typeName).map(body -> {
      int total = 0;
      for (JsonNode region : body.path("regions")) {
        total += region.path("numEntities").asInt();
      }
      return total;
    }).orElse(0);
  }

  private int status(String url) {
    try {
      return http.send(request(url), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private Optional<String> body(String url) {
    try {
      return Optional.of(http.send(request(url), HttpResponse.BodyHandlers.ofString()).body());
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private Optional<JsonNode> getJson(String url) {
    try {
      HttpResponse<String> response = http.send(request(url), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      return Optional.of(JSON.readTree(response.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build();
  }
}
