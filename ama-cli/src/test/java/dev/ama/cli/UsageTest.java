package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --help, --version, usage errors and exit codes. */
class UsageTest {
  static final List<List<String>> COMMANDS = List.of(
      List.of("init"), List.of("add"), List.of("add", "ref"), List.of("set"), List.of("rm"), List.of("status"),
      List.of("upload"), List.of("download"), List.of("ls"), List.of("show"), List.of("log"), List.of("find"),
      List.of("diff"), List.of("compare"), List.of("lineage"), List.of("alias"), List.of("alias", "set"),
      List.of("alias", "rm"));

  @TempDir Path tmp;

  @Test
  void everyCommandHasHelpWithExamples() {
    Ama ama = new Ama(tmp);
    for (List<String> command : COMMANDS) {
      String[] args = Stream.concat(command.stream(), Stream.of("--help")).toArray(String[]::new);
      Ama.Result r = ama.run(args);
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().startsWith("Usage: ama " + String.join(" ", command)), r.out());
      assertTrue(r.out().contains("Examples:"), command + " has no examples:\n" + r.out());
    }
  }

  @Test
  void topLevelHelpListsCommandsAndExitCodes() {
    Ama ama = new Ama(tmp);
    String help = ama.ok("--help").out();
    for (String expected : new String[] {"init", "add", "upload", "download", "status", "ls", "show", "log",
        "find", "diff", "compare", "lineage", "Exit codes:", "3  not found", "7  store unreachable", "AMA_STORE", "~/.ama/config.yml"}) {
      assertTrue(help.contains(expected), expected + " missing in\n" + help);
    }
  }

  @Test
  void versionNamesTheCommand() {
    assertTrue(new Ama(tmp).ok("--version").out().startsWith("ama "));
  }

  @Test
  void unknownCommandIsAOneLineUsageErrorWithASuggestion() {
    Ama.Result r = new Ama(tmp).run("uplaod");
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals(("ama: Unmatched argument at index 0: 'uplaod'. Did you mean 'upload'? (see 'ama --help')\n"), r.err());
  }

  @Test
  void missingRequiredOptionIsAOneLineUsageError() {
    Ama.Result r = new Ama(tmp).run("download", "models");
    assertEquals(2, r.code(), r.toString());
    assertEquals("ama: Missing required option: '--alias=ALIAS' (see 'ama download --help')\n", r.err());
  }

  @Test
  void verbosePrintsTheStackTraceAfterTheMessage() {
    Ama.Result r = new Ama(tmp).run("--verbose", "init", "Bad!");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: invalid asset type 'Bad!'"), r.err());
    assertTrue(r.err().contains("at dev.ama.Names.checkType"), r.err());
  }
}
