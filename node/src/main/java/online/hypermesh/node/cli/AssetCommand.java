package online.hypermesh.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import online.hypermesh.protocol.hypermesh.Asset;
import online.hypermesh.protocol.hypermesh.AssetRequest;
import online.hypermesh.protocol.hypermesh.AssetResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "asset", description = "Register, get and list HyperMesh assets over STOQ.",
    subcommands = {AssetCommand.Register.class, AssetCommand.Get.class, AssetCommand.ListAssets.class})
final class AssetCommand {

  @Command(name = "register", description = "Register an asset; the id must be new. With consensus on, answers once the "
      + "registration's transaction is committed, with its block height.")
  static final class Register implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--id", required = true, description = "Asset id: a-z, 0-9, '.', '_', '-' (up to 128).")
    String id;

    @Option(names = "--type", required = true, description = "One of: cpu, gpu, memory, storage, network, container.")
    String type;

    @Option(names = "--capacity", required = true, description = "Positive amount in the type's unit (cpu: millicores, gpu: devices, memory/storage: bytes, network: bits/s, container: instances).")
    long capacity;

    @Option(names = "--owner", required = true, description = "user:NAME, node:NAME or key:SHA256HEX.")
    String owner;

    @Option(names = "--privacy", defaultValue = "private", description = "private, p2p, network or public. Default: ${DEFAULT-VALUE}.")
    String privacy;

    @Override
    public Integer call() {
      AssetResponse response = node.send(new AssetRequest.Register(id, type, capacity, owner, privacy));
      AssetResponse.Registered registered = expect(response, AssetResponse.Registered.class);
      Asset asset = registered.asset();
      print(node.json, toJson(asset, registered.height(), registered.transactionId()),
          "registered " + describe(asset) + onChain(registered.height(), registered.transactionId()));
      return 0;
    }
  }

  @Command(name = "get", description = "Show one asset.")
  static final class Get implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(paramLabel = "ID", description = "Asset id.")
    String id;

    @Override
    public Integer call() {
      AssetResponse.Found found = expect(node.send(new AssetRequest.Get(id)), AssetResponse.Found.class);
      Asset asset = found.asset();
      print(node.json, toJson(asset, found.height(), found.transactionId()),
          describe(asset) + onChain(found.height(), found.transactionId()));
      return 0;
    }
  }

  @Command(name = "list", description = "List an owner's assets.")
  static final class ListAssets implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--owner", required = true, description = "user:NAME, node:NAME or key:SHA256HEX.")
    String owner;

    @Override
    public Integer call() {
      AssetResponse.Listed listed = expect(node.send(new AssetRequest.ListByOwner(owner)), AssetResponse.Listed.class);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("owner", listed.owner());
      json.put("assets", listed.assets().stream().map(AssetCommand::toJson).toList());
      StringBuilder text = new StringBuilder(listed.assets().size() + " assets of " + listed.owner());
      for (Asset asset : listed.assets()) {
        text.append("\n  ").append(describe(asset));
      }
      print(node.json, json, text.toString());
      return 0;
    }
  }

  static <T extends AssetResponse> T expect(AssetResponse response, Class<T> type) {
    if (type.isInstance(response)) {
      return type.cast(response);
    }
    if (response instanceof AssetResponse.Rejected rejected) {
      throw new CliException(rejected.message() + " (" + rejected.reason() + ")", HyperMeshCli.EXIT_REJECTED);
    }
    throw new CliException("unexpected reply " + response.getClass().getSimpleName());
  }

  static String describe(Asset asset) {
    return asset.assetId() + ": " + asset.type().wireName() + " " + asset.capacity() + " " + asset.type().unit()
        + ", owner " + asset.owner() + ", " + asset.privacy().wireName() + ", " + asset.address()
        + ", registered " + Instant.ofEpochMilli(asset.registeredAtMillis());
  }

  /** Where the chain committed the registration; nothing when the node runs no chain (dev mode). */
  static String onChain(long height, String transactionId) {
    return height < 0 ? ", not on a chain (consensus off)" : ", committed at height " + height + " by transaction " + transactionId;
  }

  static Map<String, Object> toJson(Asset asset, long height, String transactionId) {
    Map<String, Object> json = toJson(asset);
    if (height >= 0) {
      json.put("height", height);
      json.put("transaction", transactionId);
    }
    return json;
  }

  static Map<String, Object> toJson(Asset asset) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", asset.assetId());
    json.put("type", asset.type().wireName());
    json.put("capacity", asset.capacity());
    json.put("unit", asset.type().unit());
    json.put("owner", asset.owner());
    json.put("privacy", asset.privacy().wireName());
    json.put("address", asset.address());
    json.put("registeredAt", Instant.ofEpochMilli(asset.registeredAtMillis()).toString());
    return json;
  }

  static void print(boolean json, Object jsonValue, String text) {
    if (json) {
      try {
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(jsonValue));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new CliException("cannot write JSON: " + e.getMessage());
      }
    } else {
      System.out.println(text);
    }
  }

}
