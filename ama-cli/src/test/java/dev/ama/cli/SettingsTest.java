package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the store, user and cache come from. */
class SettingsTest {
  @TempDir Path tmp;

  Map<String, String> env = new HashMap<>();

  Settings settings() {
    return new Settings(tmp.resolve("work"), env);
  }

  void config(String yaml) throws IOException {
    Files.createDirectories(tmp.resolve("home/.ama"));
    Files.writeString(tmp.resolve("home/.ama/config.yml"), yaml);
  }

  @Test
  void flagBeatsEnvironmentBeatsConfigBeatsDefault() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    assertEquals(new Settings.Value(tmp.resolve("home/.ama/store").toString(), "default"), settings().store(Optional.empty()));
    config("store: s3://bucket/from-config\n");
    assertEquals("s3://bucket/from-config", settings().store(Optional.empty()).value());
    env.put("AMA_STORE", "gs://bucket/from-env");
    assertEquals(new Settings.Value("gs://bucket/from-env", "AMA_STORE"), settings().store(Optional.empty()));
    assertEquals(new Settings.Value("mem:flag", "--store"), settings().store(Optional.of("mem:flag")));
  }

  @Test
  void relativeStorePathsStartAtTheWorkingFolderAndTildeAtHome() {
    env.put("HOME", tmp.resolve("home").toString());
    assertEquals(tmp.resolve("work/store").toString(), settings().store(Optional.of("./store")).value());
    assertEquals(tmp.resolve("elsewhere").toString(), settings().store(Optional.of("../elsewhere")).value());
    assertEquals(tmp.resolve("home/stores/a").toString(), settings().store(Optional.of("~/stores/a")).value());
  }

  @Test
  void relativeStoreInTheConfigFileStartsAtItsFolder() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    config("store: shared-store\n");
    assertEquals(tmp.resolve("home/.ama/shared-store").toString(), settings().store(Optional.empty()).value());
  }

  @Test
  void brokenConfigFileIsNamedWithTheFix() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    config("store: [unclosed\n");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> settings().store(Optional.empty()));
    assertTrue(e.getMessage().startsWith("cannot read the config file " + tmp.resolve("home/.ama/config.yml")), e.getMessage());
    assertTrue(e.getMessage().endsWith("or remove it"), e.getMessage());
  }

  @Test
  void configFileWithoutStoreFallsBackToTheDefault() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    config("# nothing yet\n");
    assertEquals("default", settings().store(Optional.empty()).origin());
  }

  @Test
  void withoutHomeOrStoreTheMessageSaysWhatToSet() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> settings().store(Optional.empty()));
    assertTrue(e.getMessage().contains("give --store PATH_OR_URI or set AMA_STORE"), e.getMessage());
  }

  @Test
  void userComesFromFlagThenAmaUserThenOsUser() {
    assertEquals(Optional.empty(), settings().user(Optional.empty()));
    env.put("USER", "os-user");
    assertEquals(Optional.of("os-user"), settings().user(Optional.empty()));
    env.put("AMA_USER", "ama-user");
    assertEquals(Optional.of("ama-user"), settings().user(Optional.empty()));
    assertEquals(Optional.of("flag-user"), settings().user(Optional.of("flag-user")));
  }

  @Test
  void cacheComesFromAmaCacheThenHome() {
    env.put("HOME", tmp.resolve("home").toString());
    assertEquals(tmp.resolve("home/.cache/ama"), settings().cache());
    env.put("AMA_CACHE", tmp.resolve("c").toString());
    assertEquals(tmp.resolve("c"), settings().cache());
  }

  @Test
  void storeOptionWorksBeforeAndAfterTheCommandName() throws IOException {
    Ama ama = new Ama(tmp.resolve("cli"));
    ama.env.remove("AMA_STORE");
    assertTrue(ama.ok("--store", "mem:before", "status").out().startsWith("store:  mem:before (--store)"));
    assertTrue(ama.ok("status", "--store", "mem:after").out().startsWith("store:  mem:after (--store)"));
  }
}
