package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ama.storage.InMemoryStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AssetClient.aliasNames: a type's alias names from the index, for views that page through them. */
class AliasNamesTest {
  @TempDir Path tmp;

  @Test
  void namesEveryAliasOfTheTypePointingOrRemovedSorted() throws IOException {
    try (AssetClient client = AssetClient.builder().storage(new InMemoryStorage()).user("alice").cache(tmp.resolve("cache")).build()) {
      Path file = Files.writeString(tmp.resolve("w.bin"), "weights");
      client.newAsset("models").add(file).alias("prod").upload();
      client.setAlias("models", "staging", "prod");
      client.setAlias("models", "canary", "prod");
      client.removeAlias("models", "canary");
      client.newAsset("datasets").add(file).alias("train").upload();

      assertEquals(List.of("canary", "prod", "staging"), client.aliasNames("models"));
      assertEquals(List.of("train"), client.aliasNames("datasets"));
      assertEquals(List.of(), client.aliasNames("no_such_type"));
      assertThrows(InvalidInputException.class, () -> client.aliasNames("../models"));
    }
  }
}
