package online.hypermesh.node.cli;

import online.hypermesh.protocol.dns.DoqClient;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

@Command(name = "dns", description = "Query the cluster's DNS (hypermesh.online) over DNS over QUIC.",
    subcommands = {DnsCommand.Resolve.class})
final class DnsCommand {

  /**
   * Over DoQ (RFC 9250) on the node's STOQ port rather than a stoq/1 request: it exercises exactly what
   * resolvers see, and needs no client certificate. The answer is TLS-encrypted but the node's TLS
   * certificate is not checked (see DoqClient); authenticate a node by its TLSA record or stoq/1.
   */
  @Command(name = "resolve", description = "Resolve NAME (type AAAA, TLSA, SOA, NS, ANY...) on a node, like dig.")
  static final class Resolve implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "e.g. trust.hypermesh.online")
    String name;

    @Parameters(index = "1", paramLabel = "TYPE", defaultValue = "AAAA", description = "Record type. Default: ${DEFAULT-VALUE}.")
    String type;

    @Option(names = "--node", paramLabel = "HOST:PORT", description = "STOQ (DoQ) endpoint of any node, e.g. [::1]:8443. Default: node 1 of the local cluster.")
    String node;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(names = "--timeout", defaultValue = "10", description = "Seconds to wait for the answer. Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Override
    public Integer call() {
      int qtype = Type.value(type.toUpperCase(java.util.Locale.ROOT));
      if (qtype < 0) {
        throw new CliException("unknown record type '" + type + "' (e.g. AAAA, TLSA, SOA, NS, ANY)", 2);
      }
      Name qname;
      try {
        qname = Name.fromString(name.endsWith(".") ? name : name + ".");
      } catch (TextParseException e) {
        throw new CliException("'" + name + "' is not a DNS name: " + e.getMessage(), 2);
      }
      String[] endpoint = endpoint();
      Message query = Message.newQuery(Record.newRecord(qname, qtype, DClass.IN));
      query.getHeader().setID(0); // RFC 9250: DoQ queries carry id 0
      query.getHeader().unsetFlag(Flags.RD);
      Message answer = ask(endpoint, query);
      boolean ok = answer.getRcode() == Rcode.NOERROR;
      if (json) {
        AssetCommand.print(true, toJson(answer, endpoint), "");
      } else {
        System.out.println(toText(answer));
      }
      if (!ok) {
        throw new CliException(qname + " " + Type.string(qtype) + ": " + Rcode.string(answer.getRcode()), HyperMeshCli.EXIT_REJECTED);
      }
      return 0;
    }

    private Message ask(String[] endpoint, Message query) {
      String where = "node " + endpoint[0] + " port " + endpoint[1];
      Duration timeout = Duration.ofSeconds(timeoutSeconds);
      InetAddress host;
      try {
        host = InetAddress.getByName(endpoint[0]);
      } catch (UnknownHostException e) {
        throw new CliException(where + ": unknown host", HyperMeshCli.EXIT_UNREACHABLE);
      }
      try (DoqClient client = DoqClient.connect(host, Integer.parseInt(endpoint[1]), timeout)) {
        byte[] wire = client.query(query.toWire()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return new Message(wire);
      } catch (IOException | ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        throw new CliException(where + ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()),
            HyperMeshCli.EXIT_UNREACHABLE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(where + ": interrupted", HyperMeshCli.EXIT_UNREACHABLE);
      }
    }

    private String[] endpoint() {
      return NodeOptions.endpoint(node);
    }
  }

  static String toText(Message answer) {
    StringBuilder text = new StringBuilder();
    text.append("status: ").append(Rcode.string(answer.getRcode()))
        .append(", flags: ").append(answer.getHeader().printFlags().trim());
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
      for (Record record : answer.getSection(section)) {
        text.append('\n').append(section == Section.AUTHORITY ? ";; authority: " : "")
            .append(record.getName()).append('\t').append(record.getTTL()).append('\t')
            .append(DClass.string(record.getDClass())).append('\t').append(Type.string(record.getType())).append('\t')
            .append(data(record));
      }
    }
    return text.toString();
  }

  static Map<String, Object> toJson(Message answer, String[] endpoint) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("server", "[" + endpoint[0] + "]:" + endpoint[1]);
    json.put("transport", "doq");
    json.put("name", answer.getQuestion().getName().toString());
    json.put("type", Type.string(answer.getQuestion().getType()));
    json.put("status", Rcode.string(answer.getRcode()));
    json.put("authoritative", answer.getHeader().getFlag(Flags.AA));
    json.put("truncated", answer.getHeader().getFlag(Flags.TC));
    json.put("answer", records(answer.getSection(Section.ANSWER)));
    json.put("authority", records(answer.getSection(Section.AUTHORITY)));
    return json;
  }

  /** The record's data as dig shows it; IPv6 addresses in their short form (RFC 5952), e.g. ::1. */
  private static String data(Record record) {
    if (record instanceof AAAARecord aaaa) {
      return io.netty.util.NetUtil.toAddressString(aaaa.getAddress());
    }
    return record.rdataToString();
  }

  private static List<Map<String, Object>> records(List<Record> records) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Record record : records) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("name", record.getName().toString());
      json.put("type", Type.string(record.getType()));
      json.put("ttl", record.getTTL());
      json.put("data", data(record));
      out.add(json);
    }
    return out;
  }
}
