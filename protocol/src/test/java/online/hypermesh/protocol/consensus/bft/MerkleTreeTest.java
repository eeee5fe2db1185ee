package online.hypermesh.protocol.consensus.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

  private static final HexFormat HEX = HexFormat.of();
  /** The RFC 6962 test data and its tree heads, as published with the CT reference code. */
  private static final String[] DATA = {"", "00", "10", "2021", "3031", "40414243",
      "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
  private static final String[] ROOTS = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

  private static List<byte[]> hashes(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(MerkleTree.leafHash(HEX.parseHex(DATA[i])));
    }
    return out;
  }

  @Test
  void reproducesThePublishedTreeHeads() {
    for (int n = 0; n <= 8; n++) {
      assertEquals(ROOTS[n], MerkleTree.rootOfHashes(hashes(n)).hex(), "size " + n);
    }
  }

  @Test
  void reproducesThePublishedPathOfLeafZeroInEight() {
    List<String> path = MerkleTree.path(hashes(8), 0).stream().map(Digest::hex).toList();
    assertEquals(List.of("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"), path);
  }

  @Test
  void everyPathUpTo33LeavesVerifiesAndAnyChangeFails() {
    for (int n = 1; n <= 33; n++) {
      List<byte[]> leaves = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        leaves.add(MerkleTree.leafHash(new byte[] {(byte) i, (byte) (i * 7)}));
      }
      Digest root = MerkleTree.rootOfHashes(leaves);
      for (int m = 0; m < n; m++) {
        List<Digest> path = MerkleTree.path(leaves, m);
        assertTrue(MerkleTree.verify(leaves.get(m), m, n, path, root), n + "/" + m);
        assertFalse(MerkleTree.verify(leaves.get(m), m, m, path, root), "index beyond the size");
        assertFalse(MerkleTree.verify(leaves.get((m + 1) % n), m, n, path, root) && n > 1, "leaf");
        if (n > 1) {
          assertFalse(MerkleTree.verify(leaves.get(m), (m + 1) % n, n, path, root), "index");
          List<Digest> tampered = new ArrayList<>(path);
          tampered.set(0, Digest.sha256(path.get(0).bytes()));
          assertFalse(MerkleTree.verify(leaves.get(m), m, n, tampered, root), "path");
          assertFalse(MerkleTree.verify(leaves.get(m), m, n, path.subList(1, path.size()), root));
        }
        assertFalse(MerkleTree.verify(leaves.get(m), m, n, path, Digest.ZERO), "root");
      }
    }
    assertFalse(MerkleTree.verify(new byte[32], -1, 4, List.of(), Digest.ZERO));
  }

  @Test
  void aTransactionsLeafIsItsIdThenItsBody() {
    byte[] body = {9, 8, 7};
    Transaction tx = new Transaction(Digest.sha256(body), body);
    byte[] data = MerkleTree.leafData(tx);
    assertEquals(35, data.length);
    assertEquals(tx.id().hex() + "090807", HEX.formatHex(data));
    assertEquals(Digest.of(MerkleTree.leafHash(data)), MerkleTree.root(List.of(tx)));
  }
}
