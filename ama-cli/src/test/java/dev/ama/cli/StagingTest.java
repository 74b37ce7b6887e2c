package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init, add, set, rm and status: the staging state in .ama/ of the working folder. */
class StagingTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  JsonNode stage(Ama ama) throws IOException {
    return ama.stage();
  }

  List<String> stagedPaths(Ama ama) throws IOException {
    return ama.stagedPaths();
  }

  @Test
  void addAcceptsCommaSeparatedNamesWithAndWithoutSpaces() throws IOException {
    Ama ama = new Ama(tmp);
    for (String n : List.of("a.yml", "b.yml", "c.yml", "d.yml")) {
      ama.write(n, n);
    }
    ama.ok("init", "params");
    ama.ok("add", "a.yml,", "b.yml");
    ama.ok("add", "c.yml,d.yml");
    assertEquals(List.of("a.yml", "b.yml", "c.yml", "d.yml"), stagedPaths(ama));
  }

  @Test
  void aFileWhoseNameHoldsACommaIsTakenLiterally() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("x,y.txt", "comma");
    ama.ok("init", "params");
    ama.ok("add", "x,y.txt");
    assertEquals(List.of("x,y.txt"), stagedPaths(ama));
  }

  @Test
  void aFileNamedRefIsAddedWithDotSlash() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("ref", "I am a file called ref");
    ama.ok("init", "params");
    ama.ok("add", "./ref");
    assertEquals(List.of("ref"), stagedPaths(ama));
  }

  @Test
  void addRefWithoutAliasExplainsHowToAddAFileNamedRef() {
    Ama ama = new Ama(tmp);
    ama.write("ref", "x");
    ama.ok("init", "params");
    Ama.Result r = ama.run("add", "ref");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("add ref needs --alias") && r.err().contains("ama add ./ref"), r.err());
  }

  @Test
  void addOfAFolderStagesItsFilesRecursivelyUnderItsName() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("ckpt/a.bin", "a");
    ama.write("ckpt/sub/b.bin", "b");
    ama.ok("init", "checkpoints");
    ama.ok("add", "ckpt");
    assertEquals(List.of("ckpt/a.bin", "ckpt/sub/b.bin"), stagedPaths(ama));
  }

  @Test
  void addOfTheWorkingFolderSkipsTheStagingFolder() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("one.txt", "1");
    ama.write("d/two.txt", "2");
    ama.ok("init", "everything");
    ama.ok("add", ".");
    assertEquals(List.of("d/two.txt", "one.txt"), stagedPaths(ama));
  }

  @Test
  void addOfAMissingFileFailsNamingItAndNearNamesAndStagesNothing() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("model.yml", "m");
    ama.write("training.yml", "t");
    ama.ok("init", "params");
    Ama.Result r = ama.run("add", "training.yml,", "modle.yml");
    assertEquals(3, r.code(), r.toString());
    assertEquals("ama: cannot add 'modle.yml': no such file or folder in " + ama.work
        + ". Did you mean 'model.yml'?\n", r.err());
    assertEquals(List.of(), stagedPaths(ama));
  }

  @Test
  void twoDifferentFilesUnderTheSameNameAreRefused() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("a/model.yml", "1");
    ama.write("b/model.yml", "2");
    ama.ok("init", "params");
    ama.ok("add", "a/model.yml");
    Ama.Result r = ama.run("add", "b/model.yml");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("a/model.yml is staged under that name already"), r.err());
    assertEquals(List.of("model.yml"), stagedPaths(ama));
  }

  @Test
  void emptyFilesAndNamesWithSpacesAndNonAsciiLettersAreStaged() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("empty.txt", "");
    ama.write("my notes.txt", "n");
    ama.write("Größe-模型.yml", "g");
    ama.ok("init", "params");
    ama.ok("add", "empty.txt,", "my notes.txt,", "Größe-模型.yml");
    assertEquals(List.of("Größe-模型.yml", "empty.txt", "my notes.txt"), stagedPaths(ama));
    String status = ama.ok("status").out();
    assertTrue(status.contains("empty.txt") && status.contains("0 B"), status);
  }

  @Test
  void commandsBeforeInitSayHowToStart() {
    Ama ama = new Ama(tmp);
    ama.write("a.yml", "a");
    for (String[] args : List.of(
        new String[] {"add", "a.yml"},
        new String[] {"set", "--alias", "x"},
        new String[] {"upload"},
        new String[] {"add", "ref", "--alias", "x"},
        new String[] {"rm", "a.yml"})) {
      Ama.Result r = ama.run(args);
      assertEquals(4, r.code(), r.toString());
      assertEquals("ama: no asset is started in " + ama.work
          + "; start one with: ama init <type> (for example: ama init rnn_models)\n", r.err());
    }
    assertFalse(Files.exists(ama.work.resolve(".ama/stage.json")));
  }

  @Test
  void uploadWithNothingStagedSaysWhatToAdd() {
    Ama ama = new Ama(tmp);
    ama.ok("init", "params");
    Ama.Result r = ama.run("upload");
    assertEquals(4, r.code(), r.toString());
    assertEquals("ama: nothing to upload: no files are staged for params; stage some with: ama add FILE...\n", r.err());
  }

  @Test
  void invalidTypeNamesStateTheAllowedCharacters() {
    Ama ama = new Ama(tmp);
    Ama.Result r = ama.run("init", "Bad Type!");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: invalid asset type 'Bad Type!': use 1 to 64 characters: lowercase letters a-z"),
        r.err());
    assertFalse(Files.exists(ama.work.resolve(".ama")));
  }

  @Test
  void invalidAliasNamesStateTheAllowedCharacters() throws IOException {
    Ama ama = new Ama(tmp);
    ama.ok("init", "params");
    Ama.Result r = ama.run("set", "--alias", "my/alias");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: invalid alias 'my/alias': use 1 to 128 characters: letters A-Z a-z"), r.err());
    assertTrue(stage(ama).get("alias").isNull());
  }

  @Test
  void initOverUnuploadedFilesRefusesAndKeepsThem() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("a.yml", "a");
    ama.ok("init", "params");
    ama.ok("add", "a.yml");
    Ama.Result r = ama.run("init", "models");
    assertEquals(5, r.code(), r.toString());
    assertEquals("ama: cannot start a new models asset: 1 file(s) staged for params are not uploaded yet;"
        + " upload them with: ama upload, or discard them with: ama init models --force\n", r.err());
    assertEquals("params", stage(ama).get("type").asText());
    assertEquals(List.of("a.yml"), stagedPaths(ama));
  }

  @Test
  void initForceDiscardsTheStageButKeepsACopy() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("a.yml", "a");
    ama.ok("init", "params");
    ama.ok("add", "a.yml");
    ama.ok("init", "models", "--force");
    assertEquals("models", stage(ama).get("type").asText());
    assertEquals(List.of(), stagedPaths(ama));
    try (Stream<Path> list = Files.list(ama.work.resolve(".ama"))) {
      List<Path> copies = list.filter(p -> p.getFileName().toString().startsWith("stage.discarded-")).toList();
      assertEquals(1, copies.size());
      assertEquals("a.yml", JSON.readTree(copies.get(0).toFile()).get("files").get(0).get("path").asText());
    }
  }

  @Test
  void setRecordsAliasDescriptionAndLabels() throws IOException {
    Ama ama = new Ama(tmp);
    ama.ok("init", "params");
    ama.ok("set", "--alias", "my_inputs", "--description", "inputs of run 7", "--label", "stage=dev", "--label", "team=nlp");
    ama.ok("set", "--label", "team=");
    JsonNode stage = stage(ama);
    assertEquals("my_inputs", stage.get("alias").asText());
    assertEquals("inputs of run 7", stage.get("description").asText());
    assertEquals("{\"stage\":\"dev\"}", stage.get("labels").toString());
  }

  @Test
  void setWithoutAnythingToSetIsAUsageError() {
    Ama ama = new Ama(tmp);
    ama.ok("init", "params");
    Ama.Result r = ama.run("set");
    assertEquals(2, r.code(), r.toString());
    assertEquals("ama: set needs --alias, --description or --label, such as: ama set --alias my_model"
        + " (see 'ama set --help')\n", r.err());
  }

  @Test
  void malformedLabelIsRefused() {
    Ama ama = new Ama(tmp);
    ama.ok("init", "params");
    Ama.Result r = ama.run("set", "--label", "stage");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("write it as KEY=VALUE"), r.err());
  }

  @Test
  void rmUnstagesAndNamesNearPathsWhenWrong() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("a.yml", "a");
    ama.write("b.yml", "b");
    ama.ok("init", "params");
    ama.ok("add", "a.yml, b.yml");
    ama.ok("rm", "a.yml");
    assertEquals(List.of("b.yml"), stagedPaths(ama));
    Ama.Result r = ama.run("rm", "c.yml");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("'c.yml' is not staged; see what is with: ama status. Did you mean 'b.yml'?"), r.err());
  }

  @Test
  void stageIsWrittenWithoutLeavingTemporaryFiles() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("a.yml", "a");
    ama.ok("init", "params");
    ama.ok("add", "a.yml");
    ama.ok("set", "--alias", "x");
    try (Stream<Path> list = Files.list(ama.work.resolve(".ama"))) {
      assertEquals(List.of("lock", "stage.json"), list.sorted().map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void damagedStageFileIsReportedWithTheWayOut() throws IOException {
    Ama ama = new Ama(tmp);
    ama.writeStage("{\"type\": \"params\", \"files\": [");
    Ama.Result r = ama.run("status");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: the stage file " + ama.work.resolve(".ama/stage.json") + " is damaged"), r.err());
    assertTrue(r.err().endsWith("ama init <type> --force, which keeps it aside\n"), r.err());
  }

  @Test
  void theAdvisedInitForceStartsOverFromADamagedStageFileAndKeepsItAside() throws IOException {
    Ama ama = new Ama(tmp);
    Files.createDirectories(ama.work.resolve(".ama"));
    String damaged = "{\"type\": \"params\", \"files\": [";
    ama.writeStage(damaged);
    ama.write("a.yml", "a");
    Ama.Result add = ama.run("add", "a.yml");
    assertEquals(4, add.code(), add.toString());
    assertTrue(add.err().contains("start over with: ama init <type> --force"), add.err());

    Ama.Result init = ama.run("init", "params", "--force");
    assertEquals(0, init.code(), init.toString());
    List<Path> kept = listAma(ama, "stage.json.damaged-");
    assertEquals(1, kept.size(), kept.toString());
    assertEquals(damaged, Files.readString(kept.get(0)));
    assertTrue(init.out().contains("damaged") && init.out().contains(".ama/" + kept.get(0).getFileName()), init.out());
    ama.ok("add", "a.yml");
    assertEquals(List.of("a.yml"), stagedPaths(ama));
  }

  @Test
  void initWithoutForceOverADamagedStageFileNamesTheCommandThatWorks() throws IOException {
    Ama ama = new Ama(tmp);
    ama.writeStage("[]");
    Ama.Result r = ama.run("init", "models");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("start over with: ama init models --force"), r.err());
    assertEquals("[]", Files.readString(ama.work.resolve(".ama/stage.json")));
    ama.ok("init", "models", "--force");
    assertEquals("models", stage(ama).get("type").asText());
  }

  @Test
  void aStageFileOfANewerFormatSaysSoAndInitForceKeepsIt() throws IOException {
    Ama ama = new Ama(tmp);
    ama.writeStage("{\"format\": 3, \"type\": \"params\"}");
    Ama.Result r = ama.run("status");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("format 3") && r.err().contains("newer version of ama")
        && r.err().contains("ama init <type> --force"), r.err());
    ama.ok("init", "params", "--force");
    assertEquals(1, listAma(ama, "stage.json.damaged-").size());
  }

  @Test
  void theUnstageAdviceOfUploadAndAddWorksWhenFollowed() throws IOException {
    Ama ama = new Ama(tmp);
    Path gone = ama.write("gone,1.yml", "g");
    ama.write("kept.yml", "k");
    ama.write("a/model.yml", "1");
    ama.write("b/model.yml", "2");
    ama.ok("init", "params");
    ama.ok("add", "gone,1.yml");
    ama.ok("add", "kept.yml, a/model.yml");
    Files.delete(gone);
    Ama.Result upload = ama.run("upload");
    assertEquals(3, upload.code(), upload.toString());
    ama.ok(SeedWorkflowTest.argv(advice(upload.err(), "unstage it with: ")));
    Ama.Result add = ama.run("add", "b/model.yml");
    assertEquals(4, add.code(), add.toString());
    ama.ok(SeedWorkflowTest.argv(advice(add.err(), "unstage the other with: ")));
    ama.ok("add", "b/model.yml");
    ama.ok("upload");
  }

  /** The command a message advises after a phrase, up to the end of the line. */
  static String advice(String message, String phrase) {
    int at = message.indexOf(phrase);
    assertTrue(at >= 0, message);
    return message.substring(at + phrase.length()).strip();
  }

  List<Path> listAma(Ama ama, String prefix) throws IOException {
    try (Stream<Path> list = Files.list(ama.work.resolve(".ama"))) {
      return list.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }

  @Test
  void aBlankUserIsRefusedNamingWhereItCameFromAndNothingIsUploaded() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("a.yml", "a");
    ama.ok("init", "params");
    ama.ok("add", "a.yml");
    Ama.Result flag = ama.run("--user", "", "upload");
    assertEquals(4, flag.code(), flag.toString());
    assertEquals("ama: invalid user '' (from --user): give a name, such as --user alice, or leave --user out to"
        + " use AMA_USER or the operating system user\n", flag.err());
    ama.env.put("AMA_USER", "  ");
    Ama.Result env = ama.run("upload");
    assertEquals(4, env.code(), env.toString());
    assertEquals("ama: invalid user '  ' (from AMA_USER): give a name, such as AMA_USER=alice, or unset AMA_USER"
        + " to use the operating system user\n", env.err());
    assertEquals(List.of("a.yml"), stagedPaths(ama));
    assertTrue(stage(ama).get("lastUpload").isNull());
  }

  @Test
  void uploadOfAFileDeletedSinceAddSaysWhichAndHowToUnstage() throws IOException {
    Ama ama = new Ama(tmp);
    Path a = ama.write("a.yml", "a");
    ama.ok("init", "params");
    ama.ok("add", "a.yml");
    Files.delete(a);
    Ama.Result r = ama.run("upload");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("staged file a.yml is gone") && r.err().contains("ama rm a.yml"), r.err());
  }
}
