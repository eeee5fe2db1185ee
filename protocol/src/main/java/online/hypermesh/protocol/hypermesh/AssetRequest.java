package online.hypermesh.protocol.hypermesh;

import online.hypermesh.protocol.serialization.KryoMessage;

/**
 * Client requests to the asset layer. Type and privacy travel as text so that a client's mistake
 * (an unknown type) reaches the node and comes back as a precise rejection, whatever the client.
 */
public sealed interface AssetRequest extends KryoMessage {

  record Register(String assetId, String type, long capacity, String owner, String privacy) implements AssetRequest {
  }

  record Get(String assetId) implements AssetRequest {
  }

  record ListByOwner(String owner) implements AssetRequest {
  }
}
