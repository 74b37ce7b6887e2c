package dev.ama.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StorageKeysPrefixTest {
  @Test
  void aPrefixIsTheBeginningOfSomeWellFormedKey() {
    for (String prefix : List.of("", "p", "p/", "p/ab", "p/.", "p/..", "p/.am", "x".repeat(StorageKeys.MAX_KEY_BYTES))) {
      assertEquals(prefix, StorageKeys.checkPrefix(prefix), "prefix '" + prefix + "'");
    }
  }

  @Test
  void aPrefixNoWellFormedKeyStartsWithIsRefusedSayingWhy() {
    for (String prefix : List.of("/abs", "a//b", "../x", "a/./b", "./", "back\\slash", "x/.ama-", "x/.ama-tmp/",
        "x".repeat(StorageKeys.MAX_KEY_BYTES + 1))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StorageKeys.checkPrefix(prefix),
          "prefix '" + prefix + "'");
      assertTrue(e.getMessage().contains("starts no well-formed key"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> StorageKeys.checkPrefix(null));
  }
}
