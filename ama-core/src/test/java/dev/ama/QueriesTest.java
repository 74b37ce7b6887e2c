package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.storage.InMemoryStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueriesTest {
  @TempDir Path tmp;
  private InMemoryStorage storage;
  private AssetClient client;
  private Path files;

  @BeforeEach
  void setUp() throws IOException {
    storage = new InMemoryStorage();
    client = AssetClient.builder().storage(storage).user("alice").cache(tmp.resolve("cache")).build();
    files = Files.createDirectories(tmp.resolve("files"));
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  private Path write(String name, String content) throws IOException {
    Path p = files.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private AssetVersion upload(String type, String alias, String name, String content) throws IOException {
    return client.newAsset(type).add(write(name, content)).alias(alias).upload();
  }

  // ---- selectors ----

  @Test
  void selectorsNameHistoryEntriesDigestsAndPrefixes() throws IOException {
    AssetVersion one = upload("rnn_models", "m", "model.yml", "v: 1");
    AssetVersion two = upload("rnn_models", "m", "model.yml", "v: 2");

    assertEquals(two, client.version("rnn_models", "m"));
    assertEquals(one, client.version("rnn_models", "m@1"));
    assertEquals(two, client.version("rnn_models", "m@2"));
    assertEquals(two, client.version("rnn_models", "m@latest"));
    assertEquals(one, client.version("rnn_models", one.version().toString()));
    assertEquals(one, client.version("rnn_models", one.version().hex()));
    assertEquals(one, client.version("rnn_models", one.version().hex().substring(0, 8)));
    assertEquals(one, client.version("rnn_models", "sha256:" + one.version().hex().substring(0, 10)));
  }

  @Test
  void aHistoryPositionPastTheEndSaysHowManyThereAre() throws IOException {
    upload("rnn_models", "m", "model.yml", "v: 1");
    NotFoundException e = assertThrows(NotFoundException.class, () -> client.version("rnn_models", "m@5"));
    assertTrue(e.getMessage().contains("has 1 history entry") && e.getMessage().contains("m@1"), e.getMessage());
  }

  @Test
  void anAmbiguousPrefixListsTheCandidates() throws IOException {
    upload("rnn_models", "m", "model.yml", "v: 1");
    String a = "abcdef01" + "0".repeat(56);
    String b = "abcdef01" + "1".repeat(56);
    storage.putIfAbsent("manifests/sha256/ab/" + a + ".json", Content.ofBytes(new byte[0]));
    storage.putIfAbsent("manifests/sha256/ab/" + b + ".json", Content.ofBytes(new byte[0]));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> client.version("rnn_models", "abcdef01"));

    assertTrue(e.getMessage().contains("ambiguous") && e.getMessage().contains(a) && e.getMessage().contains(b),
        e.getMessage());
  }

  @Test
  void aShortOrMalformedSelectorIsExplained() throws IOException {
    upload("rnn_models", "m", "model.yml", "v: 1");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> client.version("rnn_models", "m@first"));
    assertTrue(e.getMessage().contains("'latest'"), e.getMessage());
    NotFoundException n = assertThrows(NotFoundException.class, () -> client.version("rnn_models", "abc"));
    assertTrue(n.getMessage().contains("no alias 'abc'"), n.getMessage());
  }

  @Test
  void aDigestOfAnotherTypeIsRefusedNamingItsType() throws IOException {
    AssetVersion params = upload("training_params", "p", "training.yml", "lr: 1");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> client.version("rnn_models", params.version().toString()));
    assertTrue(e.getMessage().contains("of type 'training_params'"), e.getMessage());
  }

  // ---- find ----

  @Test
  void findListsEveryVersionHoldingTheSameBytesUnderAnyName() throws IOException {
    AssetVersion a = client.newAsset("rnn_models").add(write("a/model.yml", "layers: 3")).alias("first").upload();
    AssetVersion b = client.newAsset("rnn_models").add("config/arch.yml", write("b/other.yml", "layers: 3"))
        .add(write("b/model.h5", "w")).alias("second").upload();
    upload("rnn_models", "third", "model.yml", "layers: 4");

    List<FileMatch> found = client.find(write("local copy.yml", "layers: 3"));

    assertEquals(2, found.size());
    assertEquals(List.of(b, a), found.stream().map(FileMatch::version).collect(Collectors.toList()));
    assertEquals("config/arch.yml", found.get(0).path());
    assertEquals(List.of("second"), found.get(0).aliases());
    assertEquals("model.yml", found.get(1).path());
  }

  @Test
  void findOfBytesInNoVersionIsEmpty() throws IOException {
    upload("rnn_models", "m", "model.yml", "v: 1");
    assertEquals(List.of(), client.find(write("x.yml", "never uploaded")));
  }

  // ---- diff and compare ----

  @Test
  void diffReportsFilesAndParameterChanges() throws IOException {
    AssetVersion a = client.newAsset("rnn_models")
        .add("training.yml", write("a/training.yml", "learning_rate: 0.001\noptimizer:\n  name: adam\nlayers: [64, 64]\n"))
        .add("old.txt", write("a/old.txt", "gone"))
        .add("weights.h5", write("a/w.h5", "W"))
        .add("same.txt", write("a/same.txt", "same"))
        .alias("m").upload();
    AssetVersion b = client.newAsset("rnn_models")
        .add("training.yml", write("b/training.yml", "learning_rate: 0.0005\noptimizer:\n  name: adam\n  beta: 0.9\nlayers: [64, 128]\n"))
        .add("new.txt", write("b/new.txt", "new"))
        .add("checkpoints/weights.h5", write("b/w.h5", "W"))
        .add("same.txt", write("b/same.txt", "same"))
        .alias("m").upload();

    AssetDiff d = client.diff(a, b);

    assertEquals(List.of("new.txt"), d.added().stream().map(AssetFile::path).collect(Collectors.toList()));
    assertEquals(List.of("old.txt"), d.removed().stream().map(AssetFile::path).collect(Collectors.toList()));
    assertEquals(List.of(new AssetDiff.Rename("weights.h5", "checkpoints/weights.h5", a.file("weights.h5").orElseThrow().digest())),
        d.renamed());
    assertEquals(1, d.unchanged());
    assertEquals(1, d.changed().size());
    assertEquals(List.of(
            "layers[1]: 64 → 128",
            "learning_rate: 0.001 → 0.0005",
            "optimizer.beta: (absent) → 0.9"),
        d.changed().get(0).parameters().stream().map(Object::toString).collect(Collectors.toList()));
    assertFalse(d.typesDiffer());
  }

  @Test
  void malformedParameterFilesFallBackToABytesChangeWithANote() throws IOException {
    AssetVersion a = upload("rnn_models", "m", "training.yml", "lr: 1\n");
    AssetVersion b = upload("rnn_models", "m", "training.yml", "lr: [unclosed\n");

    AssetDiff.FileChange c = client.diff(a, b).changed().get(0);

    assertEquals(List.of(), c.parameters());
    assertTrue(c.note().orElseThrow().contains("not valid YAML") && c.note().get().contains("bytes differ"),
        c.note().get());
  }

  @Test
  void jsonFilesAreComparedKeyByKeyToo() throws IOException {
    AssetVersion a = upload("rnn_models", "m", "summary_dict.json", "{\"loss\": 0.5, \"steps\": 10}");
    AssetVersion b = upload("rnn_models", "m", "summary_dict.json", "{\"loss\": 0.25, \"steps\": 10}");
    assertEquals("loss: 0.5 → 0.25", client.diff(a, b).changed().get(0).parameters().get(0).toString());
  }

  @Test
  void diffAcrossTypesIsAllowedButSaid() throws IOException {
    AssetVersion a = upload("rnn_models", "m", "x.yml", "a: 1");
    AssetVersion b = upload("training_params", "p", "x.yml", "a: 2");
    assertTrue(client.diff(a, b).typesDiffer());
  }

  @Test
  void compareTabulatesParametersWithDifferingKeysFirst() throws IOException {
    AssetVersion a = upload("rnn_models", "m", "training.yml", "lr: 0.1\nepochs: 5\nseed: 1\n");
    AssetVersion b = upload("rnn_models", "m", "training.yml", "lr: 0.2\nepochs: 5\nseed: 1\n");
    AssetVersion c = upload("rnn_models", "m", "training.yml", "lr: 0.3\nepochs: 5\n");

    Comparison t = client.compare(List.of(a, b, c), Optional.of("training.yml"));

    assertEquals(List.of("lr", "seed", "epochs"), t.rows().stream().map(Comparison.Row::key).collect(Collectors.toList()));
    assertEquals(List.of(Optional.of("0.1"), Optional.of("0.2"), Optional.of("0.3")), t.rows().get(0).values());
    assertEquals(Optional.empty(), t.rows().get(1).values().get(2));
    assertEquals(2, t.differing().size());
  }

  // ---- lineage ----

  @Test
  void lineageWalksRefsUpstreamAndTheRefIndexDownstream() throws IOException {
    AssetVersion data = upload("datasets", "reads", "data.csv", "a,b");
    AssetVersion params = client.newAsset("training_params").add(write("training.yml", "lr: 1")).alias("inputs")
        .ref("datasets", "reads").upload();
    AssetVersion m1 = client.newAsset("rnn_models").add(write("model.h5", "1")).alias("m1").ref("training_params", "inputs").upload();
    AssetVersion m2 = client.newAsset("rnn_models").add(write("model.h5", "2")).alias("m2").ref("training_params", "inputs").upload();

    LineageGraph up = client.lineage(m1, LineageGraph.Direction.UPSTREAM, 10);
    assertEquals(List.of(m1, params, data), up.nodes().stream().map(LineageGraph.Node::version).collect(Collectors.toList()));
    assertEquals(2, up.edges().size());
    assertFalse(up.truncated());

    LineageGraph down = client.lineage(data, LineageGraph.Direction.DOWNSTREAM, 10);
    assertEquals(4, down.nodes().size());
    assertTrue(down.nodes().stream().map(LineageGraph.Node::version).collect(Collectors.toList()).containsAll(List.of(m1, m2, params)));
    assertEquals(List.of("m2"), down.nodes().stream().filter(n -> n.version().equals(m2)).findFirst().orElseThrow().aliases());

    LineageGraph shallow = client.lineage(data, LineageGraph.Direction.DOWNSTREAM, 1);
    assertEquals(2, shallow.nodes().size());
    assertTrue(shallow.truncated());
  }

  @Test
  void lineageRendersAsTextJsonDotAndMermaid() throws IOException {
    upload("training_params", "inputs", "training.yml", "lr: 1");
    AssetVersion m = client.newAsset("rnn_models").add(write("model.h5", "1")).alias("m").ref("training_params", "inputs").upload();

    LineageGraph g = client.lineage(m, LineageGraph.Direction.UPSTREAM, 5);
    String inputsHex = m.refs().get(0).version().hex();

    assertTrue(g.toText().startsWith("rnn_models/m@" + m.version().shortHex()), g.toText());
    assertTrue(g.toText().contains("  <- training_params/inputs@"), g.toText());
    assertTrue(g.toDot().contains("\"" + m.version().hex() + "\" -> \"" + inputsHex + "\" [label=\"inputs\"]"), g.toDot());
    assertTrue(g.toMermaid().contains("v" + m.version().shortHex() + " -->|inputs| v" + inputsHex.substring(0, 12)), g.toMermaid());
    assertTrue(g.toJson().contains("\"direction\":\"upstream\"") && g.toJson().contains("\"to\":\"sha256:" + inputsHex + "\""),
        g.toJson());
    assertTrue(g.toJson().contains("\"by\":\"") && g.toJson().contains("\"at\":\"") && !g.toJson().contains("createdBy"),
        "the field names of the CLI's JSON: " + g.toJson());
  }

  // ---- listing ----

  @Test
  void versionsCanBeFilteredByCreatorLabelAndTime() throws IOException {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    try (AssetClient bob = AssetClient.builder().storage(storage).user("bob").cache(tmp.resolve("c2"))
        .clock(Clock.fixed(t0, ZoneOffset.UTC)).build();
        AssetClient later = AssetClient.builder().storage(storage).user("alice").cache(tmp.resolve("c3"))
            .clock(Clock.fixed(t0.plus(Duration.ofDays(2)), ZoneOffset.UTC)).build()) {
      AssetVersion old = bob.newAsset("rnn_models").add(write("a", "1")).label("stage", "dev").upload();
      AssetVersion recent = later.newAsset("rnn_models").add(write("a", "2")).label("stage", "prod").upload();

      assertEquals(List.of(recent, old), client.versions("rnn_models"));
      assertEquals(List.of(old), client.versions("rnn_models", VersionFilter.all().createdBy("bob")));
      assertEquals(List.of(recent), client.versions("rnn_models", VersionFilter.all().label("stage", "prod")));
      assertEquals(List.of(recent), client.versions("rnn_models", VersionFilter.all().since(t0.plus(Duration.ofDays(1)))));
      assertEquals(List.of(old), client.versions("rnn_models", VersionFilter.all().until(t0.plus(Duration.ofDays(1)))));
      assertEquals(List.of(recent), client.versions("rnn_models", VersionFilter.all().limit(1)));
    }
  }

  @Test
  void compareRefusesAFileThatHoldsNoParameters() throws IOException {
    AssetVersion a = upload("rnn_models", "m", "model.h5", "w1");
    AssetVersion b = upload("rnn_models", "m", "model.h5", "w2");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> client.compare(List.of(a, b), Optional.of("model.h5")));
    assertTrue(e.getMessage().contains("only YAML and JSON"), e.getMessage());
  }
}
