package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ama alias set / rm: promotion, rollback, --expect, removal; and ama add ref --version. */
class AliasCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Ama ama;
  String inputs1;
  String inputs2;
  String staging;

  /** Two versions of the inputs, and a model staged with a ref to them and a label. */
  @BeforeEach
  void history() throws Exception {
    ama = new Ama(tmp);
    ama.write("training.yml", "lr: 0.001\n");
    ama.ok("init", "params");
    ama.ok("add", "training.yml");
    ama.ok("set", "--alias", "inputs");
    inputs1 = upload();
    ama.write("training.yml", "lr: 0.0005\n");
    ama.ok("add", "training.yml");
    ama.ok("set", "--alias", "inputs");
    inputs2 = upload();

    ama.write("model.yml", "layers: 3\n");
    ama.ok("init", "models");
    ama.ok("add", "model.yml");
    ama.ok("set", "--alias", "staging", "--label", "stage=candidate");
    ama.ok("add", "ref", "--alias", "inputs");
    staging = upload();
  }

  private String upload() throws Exception {
    return JSON.readTree(ama.ok("upload", "--json").out()).get("version").asText();
  }

  private JsonNode json(String... args) throws Exception {
    return JSON.readTree(ama.ok(args).out());
  }

  @Test
  void promotionKeepsTheVersionWithItsRefsAndLabelsAndRollbackIsTheNextEntry() throws Exception {
    Ama.Result promoted = ama.ok("alias", "set", "models", "prod", "staging");
    assertTrue(promoted.out().startsWith("moved models/prod to " + staging + " (entry 1;"), promoted.out());

    JsonNode prod = json("show", "models", "--alias", "prod", "--json");
    JsonNode stagingShown = json("show", "models", "--alias", "staging", "--json");
    assertEquals(staging, prod.get("version").asText(), "the same version, not a re-upload");
    assertEquals(stagingShown.get("refs"), prod.get("refs"));
    assertEquals(inputs2, prod.get("refs").get(0).get("version").asText());
    assertEquals("candidate", prod.get("labels").get("stage").asText());

    ama.write("model.yml", "layers: 4\n");
    ama.ok("add", "model.yml");
    ama.ok("set", "--alias", "prod");
    String second = upload();
    ama.ok("--user", "bob", "alias", "set", "models", "prod", "prod@1");

    JsonNode log = json("log", "models", "--alias", "prod", "--json").get("entries");
    assertEquals(3, log.size());
    assertEquals(List.of(staging, second, staging), List.of(log.get(2).get("version").asText(),
        log.get(1).get("version").asText(), log.get(0).get("version").asText()), "newest first: the rollback on top");
    assertEquals("bob", log.get(0).get("by").asText());
    assertEquals(second, log.get(0).get("previous").asText());
    assertEquals(staging, json("show", "models", "--alias", "prod", "--json").get("version").asText());
  }

  @Test
  void aStaleExpectationIsExitFiveAndAMoveToWhereTheAliasIsIsExitZero() throws Exception {
    ama.ok("alias", "set", "models", "prod", "staging", "--expect", "none");

    Ama.Result taken = ama.run("alias", "set", "models", "prod", inputsOfModels(), "--expect", "none");
    assertEquals(5, taken.code(), taken.toString());
    assertTrue(taken.err().contains("alias models/prod points at " + staging) && taken.err().contains("--expect none")
        && taken.err().contains("nothing was written") && taken.err().contains("retry with --expect " + staging),
        taken.err());

    Ama.Result there = ama.ok("alias", "set", "models", "prod", "staging");
    assertTrue(there.out().contains("models/prod already points at " + staging) && there.out().contains("nothing was written"),
        there.out());
    JsonNode outcome = JSON.readTree(ama.run("alias", "set", "models", "prod", inputsOfModels(), "--expect", "prod@1",
        "--json").out());
    assertEquals("MOVED", outcome.get("result").asText());
    assertEquals(2, json("log", "models", "--alias", "prod", "--json").get("entries").size());
  }

  /** A second version of the model type, without an alias, to promote. */
  private String inputsOfModels() throws Exception {
    try (AssetClient client = AssetClient.builder().store(ama.store.toString()).cache(tmp.resolve("api-cache")).build()) {
      Path file = Files.writeString(Files.createDirectories(tmp.resolve("other")).resolve("model.yml"), "layers: 9\n");
      return client.newAsset("models").add(file).upload().version().toString();
    }
  }

  @Test
  void aRemovedAliasIsNotFoundSayingWhoAndWhenAndItsLogContinues() throws Exception {
    ama.ok("alias", "set", "models", "prod", "staging");
    Ama.Result removed = ama.ok("--user", "bob", "alias", "rm", "models", "prod");
    assertTrue(removed.out().startsWith("removed models/prod, which pointed at " + staging + " (entry 2;"), removed.out());

    Ama.Result show = ama.run("show", "models", "--alias", "prod");
    assertEquals(3, show.code(), show.toString());
    assertTrue(show.err().contains("alias models/prod was removed by bob at ") && show.err().contains("ama alias set models prod"),
        show.err());
    assertEquals(3, ama.run("download", "models", "--alias", "prod").code());

    String log = ama.ok("log", "models", "--alias", "prod").out();
    assertTrue(log.contains("(removed)") && log.contains("bob") && log.contains(staging), log);
    String live = ama.ok("ls", "models").out();
    assertFalse(live.contains("prod"), live);
    String all = ama.ok("ls", "models", "--all").out();
    assertTrue(all.contains("prod") && all.contains("(removed)") && all.contains("staging"), all);

    Ama.Result again = ama.ok("alias", "rm", "models", "prod");
    assertTrue(again.out().contains("models/prod already is removed (entry 2, by bob"), again.out());
    assertEquals(3, ama.run("alias", "rm", "models", "nope").code());

    ama.ok("alias", "set", "models", "prod", "prod@1", "--expect", "none");
    JsonNode entries = json("log", "models", "--alias", "prod", "--json").get("entries");
    assertEquals(3, entries.get(0).get("seq").asInt(), "setting it again continues the log");
    assertTrue(entries.get(1).get("removed").asBoolean());
    assertTrue(entries.get(1).get("version").isNull());
    assertEquals(staging, json("show", "models", "--alias", "prod", "--json").get("version").asText());
  }

  @Test
  void ofEightCommandsPromotingFromTheSameVersionExactlyOneWinsEachRound() throws Exception {
    int promoters = 8;
    int rounds = 3;
    List<String> candidates = new ArrayList<>();
    try (AssetClient client = AssetClient.builder().store(ama.store.toString()).cache(tmp.resolve("api-cache")).build()) {
      for (int i = 0; i <= promoters; i++) {
        Path file = Files.writeString(Files.createDirectories(tmp.resolve("c" + i)).resolve("model.yml"), "c: " + i + "\n");
        AssetVersion v = client.newAsset("models").add(file).upload();
        candidates.add(v.version().toString());
      }
    }
    ama.ok("alias", "set", "models", "prod", candidates.get(0));
    ExecutorService pool = Executors.newFixedThreadPool(promoters);
    try {
      for (int round = 0; round < rounds; round++) {
        String current = json("show", "models", "--alias", "prod", "--json").get("version").asText();
        List<String> others = candidates.stream().filter(c -> !c.equals(current)).toList();
        CyclicBarrier start = new CyclicBarrier(promoters);
        List<Future<Ama.Result>> runs = new ArrayList<>();
        for (int p = 0; p < promoters; p++) {
          String[] args = {"--user", "p" + p, "alias", "set", "models", "prod", others.get(p), "--expect", current};
          runs.add(pool.submit(() -> {
            start.await(60, TimeUnit.SECONDS);
            return ama.run(args);
          }));
        }
        int won = 0;
        for (Future<Ama.Result> f : runs) {
          Ama.Result r = f.get(120, TimeUnit.SECONDS);
          if (r.code() == 0) {
            won++;
          } else {
            assertEquals(5, r.code(), "a loser's exit code: " + r);
            assertTrue(r.err().contains("not at " + current), r.err());
          }
        }
        assertEquals(1, won, "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
    JsonNode log = json("log", "models", "--alias", "prod", "--json").get("entries");
    assertEquals(1 + rounds, log.size());
    for (int i = 0; i < log.size() - 1; i++) {
      assertEquals(log.get(i + 1).get("version"), log.get(i).get("previous"), "dense and chained");
    }
  }

  // ---------------------------------------------------------------- ama add ref --version

  @Test
  void aRefByAliasAtNIsPinnedToThatEntryWhereverTheAliasMoves() throws Exception {
    Ama.Result staged = ama.ok("add", "ref", "--version", "inputs@1");
    assertTrue(staged.out().contains("staged ref params/inputs pinned to " + inputs1 + " (inputs@1)"), staged.out());
    assertEquals(2, ama.stage().get("format").asInt(), "a stage with a pinned ref says so to older readers");
    ama.write("model.yml", "layers: 5\n");
    ama.ok("add", "model.yml");
    ama.ok("set", "--alias", "retrained");

    upload();

    JsonNode refs = json("show", "models", "--alias", "retrained", "--json").get("refs");
    assertEquals(1, refs.size(), refs.toString());
    assertEquals(inputs1, refs.get(0).get("version").asText(), "the older version, not where inputs points now");
    assertEquals("inputs", refs.get(0).get("alias").asText());
  }

  @Test
  void aRefByDigestPrefixFindsItsTypeAndAnAmbiguousPrefixIsRefused() throws Exception {
    String prefix = inputs1.substring("sha256:".length(), "sha256:".length() + 12);
    Ama.Result staged = ama.ok("add", "ref", "--version", prefix);
    assertTrue(staged.out().contains("staged ref params pinned to " + inputs1), staged.out());
    assertEquals(inputs1, ama.stage().get("refs").get(0).get("version").asText());

    String a = "abcdef01" + "0".repeat(56);
    String b = "abcdef01" + "1".repeat(56);
    Files.createDirectories(ama.store.resolve("manifests/sha256/ab"));
    Files.write(ama.store.resolve("manifests/sha256/ab/" + a + ".json"), new byte[0]);
    Files.write(ama.store.resolve("manifests/sha256/ab/" + b + ".json"), new byte[0]);
    Ama.Result ambiguous = ama.run("add", "ref", "--version", "abcdef01");
    assertEquals(4, ambiguous.code(), ambiguous.toString());
    assertTrue(ambiguous.err().contains("ambiguous") && ambiguous.err().contains(a) && ambiguous.err().contains(b)
        && ambiguous.err().contains("Give more digits"), ambiguous.err());
    assertEquals(1, ama.stage().get("refs").size(), "nothing more was staged");

    assertEquals(2, ama.run("add", "ref", "--alias", "inputs", "--version", "inputs@1").code());
  }
}
