package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;

/**
 * A run builds the model of the one command it runs ({@link AmaCli#commandToRun}), and only where
 * that parses exactly as the whole tree would; everything else gets the whole tree.
 */
class CommandTableTest {
  @TempDir Path tmp;

  @Test
  void eachCommandIsListedUnderTheNameItsAnnotationGives() {
    List<String> mismatched = new ArrayList<>();
    AmaCli.COMMANDS.forEach((name, type) -> {
      String declared = type.getAnnotation(Command.class).name();
      if (!declared.equals(name)) {
        mismatched.add(name + " is " + type.getSimpleName() + ", named '" + declared + "'");
      }
    });
    assertEquals(List.of(), mismatched);
  }

  @Test
  void theWholeTreeHasEveryCommandInTheTablesOrder() {
    var line = AmaCli.commandLine(tmp, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    assertEquals(List.copyOf(AmaCli.COMMANDS.keySet()), List.copyOf(line.getSubcommands().keySet()));
  }

  @Test
  void aCommandAfterGlobalOptionsRunsAlone() {
    assertEquals(Optional.of("ls"), AmaCli.commandToRun("ls", "rnn_models"));
    assertEquals(Optional.of("ls"), AmaCli.commandToRun("--store", "/s", "-v", "ls", "--help"));
    assertEquals(Optional.of("status"), AmaCli.commandToRun("--store=/s", "--user", "ann", "-vq", "status"));
    assertEquals(Optional.of("alias"), AmaCli.commandToRun("alias", "set", "t", "a", "v"));
  }

  @Test
  void anythingElseGetsTheWholeTree() {
    assertEquals(Optional.empty(), AmaCli.commandToRun());
    assertEquals(Optional.empty(), AmaCli.commandToRun("--help", "ls"));
    assertEquals(Optional.empty(), AmaCli.commandToRun("-h"));
    assertEquals(Optional.empty(), AmaCli.commandToRun("--version"));
    assertEquals(Optional.empty(), AmaCli.commandToRun("uplaod"));
    assertEquals(Optional.empty(), AmaCli.commandToRun("--bogus", "ls"));
    assertEquals(Optional.empty(), AmaCli.commandToRun("help", "ls"));
    assertEquals(Optional.empty(), AmaCli.commandToRun("completion"));
    // The value of --store, not a command.
    assertEquals(Optional.empty(), AmaCli.commandToRun("--store", "ls"));
  }

  @Test
  void aCommandRunAloneKeepsTheGlobalOptionsGivenBeforeAndAfterIt() {
    Ama.Result r = new Ama(tmp).run("--store", tmp.resolve("s").toString(), "status", "--concurrency", "3");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("store:  " + tmp.resolve("s") + " (--store)"), r.out());
    assertTrue(r.out().contains("transfers: 3 files at once (--concurrency)"), r.out());
  }

  @Test
  void aMisspeltCommandStillGetsSuggestionsFromEveryCommand() {
    Ama.Result r = new Ama(tmp).run("uplaod");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("Did you mean 'upload'?"), r.err());
  }
}
