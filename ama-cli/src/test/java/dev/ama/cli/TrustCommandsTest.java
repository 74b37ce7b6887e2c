package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing from the command line, the trust policy of {@code download --trust}, {@code verify
 * --signatures}, and an independent check of AMA's signatures with openssl and sha256sum: tools
 * that share no code with AMA.
 */
class TrustCommandsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The signed example shipped in the docs, for readers in other languages. */
  static final Path EXAMPLE = Path.of("..", "docs", "trust-example");

  @TempDir Path tmp;
  Ama ama;
  Path keys;
  Path trust;

  @BeforeEach
  void keys() throws IOException {
    ama = new Ama(tmp);
    ama.ok("key", "generate", "--out", "keys");
    keys = ama.work.resolve("keys");
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(keys.resolve("release.pub.pem"), trust.resolve("release.pub.pem"));
    ama.write("model.h5", "weights v1");
    ama.write("model.yml", "layers: 3\n");
    ama.ok("init", "rnn_models");
  }

  private String upload(String... extra) throws IOException {
    ama.ok("add", "model.h5", "model.yml");
    ama.ok("set", "--alias", "prod");
    List<String> args = new ArrayList<>(List.of("upload", "--json"));
    args.addAll(List.of(extra));
    return JSON.readTree(ama.ok(args.toArray(String[]::new)).out()).get("version").asText();
  }

  private static boolean isEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  @Test
  void keyGenerateWritesAPairAndRefusesToReplaceIt() {
    assertTrue(Files.isRegularFile(keys.resolve("release.key.pem")));
    Ama.Result again = ama.run("key", "generate", "--out", "keys");
    assertEquals(4, again.code(), again.toString());
    assertTrue(again.err().contains("exists already"), again.err());
  }

  @Test
  void aSignedUploadDownloadsUnderTrustAndShowNamesTheSigner() throws IOException {
    String v = upload("--sign", "keys/release.key.pem");
    ama.ok("download", "rnn_models", "--alias", "prod", "--trust", trust.toString(), "-o", "out");
    assertEquals("weights v1", Files.readString(ama.work.resolve("out/model.h5")));
    Ama.Result show = ama.ok("show", "rnn_models", "--alias", "prod", "--json");
    JsonNode sig = JSON.readTree(show.out()).get("signatures").get(0);
    assertEquals("unknown-key", sig.get("status").asText(), "without a policy the key is not checked");
    ama.env.put("AMA_TRUST", trust.toString());
    JsonNode trusted = JSON.readTree(ama.ok("show", "rnn_models", "--alias", "prod", "--json").out());
    assertEquals("valid", trusted.get("signatures").get(0).get("status").asText());
    assertEquals("release", trusted.get("signatures").get(0).get("name").asText());
    assertTrue(ama.ok("show", "rnn_models", "--alias", "prod").out().contains("signed by: release key"));
    assertTrue(v.startsWith("sha256:"));
  }

  @Test
  void anUnsignedVersionIsRefusedWithExitSixAndNothingWrittenUntilSigned() throws IOException {
    String v = upload();
    Ama.Result refused = ama.run("download", "rnn_models", "--alias", "prod", "--trust", trust.toString(), "-o", "out");
    assertEquals(6, refused.code(), refused.toString());
    assertTrue(refused.err().contains(v) && refused.err().contains("ama sign rnn_models"), refused.err());
    assertTrue(isEmpty(ama.work.resolve("out")));
    Ama.Result audit = ama.run("verify", "--signatures", "--trust", trust.toString());
    assertEquals(6, audit.code(), audit.toString());
    ama.ok("sign", "rnn_models", "prod", "--key", "keys/release.key.pem");
    ama.ok("download", "rnn_models", "--alias", "prod", "--trust", trust.toString(), "-o", "out");
    assertTrue(ama.ok("verify", "--signatures", "--trust", trust.toString()).out().contains("all trusted"));
  }

  @Test
  void aPolicyRequiringSignedMovesRefusesAnUnsignedMoveUntilAReleaseKeySignsIt() throws IOException {
    Files.writeString(trust.resolve("policy.yaml"), "rules:\n  - types: rnn_models\n    aliases: prod\n    moves: signed\n"
        + "    keys: [release]\n");
    upload();
    Ama.Result refused = ama.run("download", "rnn_models", "--alias", "prod", "--trust", trust.toString(), "-o", "out");
    assertEquals(6, refused.code(), refused.toString());
    assertTrue(refused.err().contains("carries no signature"), refused.err());
    assertTrue(isEmpty(ama.work.resolve("out")));
    ama.ok("alias", "set", "rnn_models", "prod", "prod", "--sign", "keys/release.key.pem");
    ama.ok("download", "rnn_models", "--alias", "prod", "--trust", trust.toString(), "-o", "out");
  }

  @Test
  void anUnsignedRemovalOfAnAliasRequiringSignedMovesIsReportedAndRefusedUntilARemovalIsSigned() throws IOException {
    Files.writeString(trust.resolve("policy.yaml"), "rules:\n  - types: rnn_models\n    aliases: prod\n    moves: signed\n"
        + "    keys: [release]\n");
    upload("--sign", "keys/release.key.pem");
    ama.ok("alias", "rm", "rnn_models", "prod");
    Ama.Result audit = ama.run("verify", "--signatures", "--trust", trust.toString());
    assertEquals(6, audit.code(), audit.toString());
    assertTrue(audit.toString().contains("rnn_models/prod") && audit.toString().contains("was removed by "), audit.toString());
    Ama.Result refused = ama.run("download", "rnn_models", "--alias", "prod", "--trust", trust.toString(), "-o", "out");
    assertEquals(6, refused.code(), refused.toString());
    assertTrue(refused.err().contains("was removed by ") && refused.err().contains("carries no signature")
        && refused.err().contains("ama alias rm rnn_models prod --sign release.key.pem"), refused.err());

    Ama.Result signed = ama.ok("alias", "rm", "rnn_models", "prod", "--sign", "keys/release.key.pem");
    assertTrue(signed.out().contains("signed by release"), signed.toString());
    Ama.Result removed = ama.run("download", "rnn_models", "--alias", "prod", "--trust", trust.toString(), "-o", "out");
    assertEquals(3, removed.code(), removed.toString());
    assertTrue(removed.err().contains("was removed by "), removed.err());
    assertTrue(ama.ok("verify", "--signatures", "--trust", trust.toString()).out().contains("all trusted"));
    assertTrue(isEmpty(ama.work.resolve("out")));
  }

  @Test
  void aSignedRemovalVerifiesUnderAPolicyRequiringSignedMoves() throws IOException {
    Files.writeString(trust.resolve("policy.yaml"), "rules:\n  - types: rnn_models\n    moves: signed\n    keys: [release]\n");
    upload("--sign", "keys/release.key.pem");
    JsonNode rm = JSON.readTree(ama.ok("alias", "rm", "rnn_models", "prod", "--sign", "keys/release.key.pem", "--json").out());
    assertEquals("REMOVED", rm.get("result").asText());
    Ama.Result audit = ama.ok("verify", "--signatures", "--trust", trust.toString());
    assertTrue(audit.out().contains("all trusted") && audit.out().contains("1 alias head"), audit.toString());
  }

  // ---- the independent check ----

  @Test
  void opensslVerifiesTheSignatureAndSha256sumMatchesTheSignedSubjects() throws Exception {
    assumeTrue(Tools.has("openssl", "version"), "openssl is not installed: the independent signature check is skipped");
    String v = upload("--sign", "keys/release.key.pem");
    ama.ok("download", "rnn_models", "--alias", "prod", "-o", "out");
    String hex = v.substring("sha256:".length());
    Path sigDir = ama.store.resolve("signatures/sha256").resolve(hex.substring(0, 2)).resolve(hex);
    Path envelope;
    try (Stream<Path> s = Files.list(sigDir)) {
      envelope = s.findFirst().orElseThrow();
    }
    checkIndependently(envelope, keys.resolve("release.pub.pem"), ama.work.resolve("out"), v);
  }

  @Test
  void theSignedExampleInTheDocsStillVerifies() throws Exception {
    if (Boolean.getBoolean("ama.trustExample.regenerate")) {
      TrustExample.regenerate(EXAMPLE, tmp);
    }
    Path store = EXAMPLE.resolve("store");
    JsonNode alias = JSON.readTree(store.resolve("aliases/rnn_models/prod/0000000001.json").toFile());
    String v = alias.get("version").asText();
    // AMA itself, through a client trusting the example's key and requiring signed versions and moves.
    ama.env.put("AMA_STORE", store.toAbsolutePath().toString());
    ama.ok("download", "rnn_models", "--alias", "prod", "--trust", EXAMPLE.toAbsolutePath().toString(), "-o", "example");
    assumeTrue(Tools.has("openssl", "version"), "openssl is not installed: the independent check of the example is skipped");
    String hex = v.substring("sha256:".length());
    Path envelope;
    try (Stream<Path> s = Files.list(store.resolve("signatures/sha256").resolve(hex.substring(0, 2)).resolve(hex))) {
      envelope = s.findFirst().orElseThrow();
    }
    checkIndependently(envelope, EXAMPLE.resolve("release.pub.pem"), ama.work.resolve("example"), v);
  }

  /**
   * Checks a stored envelope without AMA's code: the PAE built here from DSSE's definition, the
   * signature checked by openssl, the statement's subjects compared with sha256sum of the files.
   */
  static void checkIndependently(Path envelopeFile, Path publicKey, Path files, String version) throws Exception {
    JsonNode envelope = JSON.readTree(envelopeFile.toFile());
    String type = envelope.get("payloadType").asText();
    assertEquals("application/vnd.in-toto+json", type);
    byte[] payload = Base64.getDecoder().decode(envelope.get("payload").asText());
    byte[] typeBytes = type.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("DSSEv1 " + typeBytes.length + " " + type + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
    byte[] pae = new byte[head.length + payload.length];
    System.arraycopy(head, 0, pae, 0, head.length);
    System.arraycopy(payload, 0, pae, head.length, payload.length);
    Path work = Files.createTempDirectory("ama-openssl");
    Files.write(work.resolve("pae.bin"), pae);
    Files.write(work.resolve("sig.bin"), Base64.getDecoder().decode(envelope.get("signatures").get(0).get("sig").asText()));
    Tools.Run ok = Tools.run(work, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", publicKey.toAbsolutePath().toString(),
        "-rawin", "-in", "pae.bin", "-sigfile", "sig.bin");
    assertEquals(0, ok.code(), "openssl refused AMA's signature: " + ok.output());
    pae[pae.length - 2] ^= 1;
    Files.write(work.resolve("pae.bin"), pae);
    assertTrue(Tools.run(work, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", publicKey.toAbsolutePath().toString(),
        "-rawin", "-in", "pae.bin", "-sigfile", "sig.bin").code() != 0, "openssl must refuse a changed statement");

    JsonNode statement = JSON.readTree(payload);
    assertEquals("https://in-toto.io/Statement/v1", statement.get("_type").asText());
    assertEquals(version, statement.get("predicate").get("ama").get("version").asText());
    Map<String, String> signed = new TreeMap<>();
    statement.get("subject").forEach(s -> signed.put(s.get("name").asText(), s.get("digest").get("sha256").asText()));
    assertEquals(sha256sum(files), signed, "the signed subjects are the downloaded files and their SHA-256");
  }

  /** SHA-256 of every file under a folder, by path: from sha256sum when installed, else the JDK's MessageDigest. */
  static Map<String, String> sha256sum(Path folder) throws Exception {
    List<Path> all;
    try (Stream<Path> s = Files.walk(folder)) {
      all = s.filter(Files::isRegularFile).sorted().toList();
    }
    Map<String, String> out = new TreeMap<>();
    boolean tool = Tools.has("sha256sum", "--version");
    for (Path p : all) {
      String name = folder.relativize(p).toString().replace('\\', '/');
      if (tool) {
        Tools.Run r = Tools.run(folder, "sha256sum", name);
        out.put(name, r.output().substring(0, 64));
      } else {
        out.put(name, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return out;
  }

  @Test
  void theDocsExampleIsCompleteForAnotherLanguage() {
    assertTrue(Files.isRegularFile(EXAMPLE.resolve("release.pub.pem")));
    assertTrue(Files.isRegularFile(EXAMPLE.resolve("README.md")));
    assertFalse(Files.exists(EXAMPLE.resolve("release.key.pem")), "the example ships no private key");
  }
}
