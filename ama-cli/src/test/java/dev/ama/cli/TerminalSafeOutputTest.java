package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text that came from a store, a manifest or the disk never reaches the terminal with control
 * characters a terminal would act on; JSON output keeps it exact.
 */
class TerminalSafeOutputTest {
  /** Clears the screen, sets the window title, rings the bell, reverses the text that follows. */
  static final String HOSTILE = "x\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202eyes\u007f";
  static final String SHOWN = "x\\x1b[2J\\x1b]0;pwned\\x07\\u009b31m\\u202eyes\\x7f";

  @TempDir java.nio.file.Path tmp;

  static void assertTerminalSafe(String what, Ama.Result r) {
    for (String stream : List.of(r.out(), r.err())) {
      for (int i = 0; i < stream.length(); i++) {
        char c = stream.charAt(i);
        if ((c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)) {
          fail(what + " printed the raw character U+" + String.format("%04X", (int) c) + ": " + r);
        }
      }
    }
  }

  /** Two versions of params under alias m, the second with hostile metadata and parameter values. */
  Ama hostileStore() {
    Ama ama = new Ama(tmp);
    ama.write("training.yml", "lr: 0.1\n");
    ama.ok("init", "params");
    ama.ok("add", "training.yml");
    ama.ok("set", "--alias", "m");
    ama.ok("upload");
    ama.write("training.yml", "lr: \"" + HOSTILE.replace("\u001b", "\\e").replace("\u0007", "\\a")
        .replace("\u009b", "\\x9b").replace("\u202e", "\\u202e").replace("\u007f", "\\x7f") + "\"\n");
    ama.ok("add", "training.yml");
    ama.ok("set", "--alias", "m", "--description", HOSTILE, "--label", "k=" + HOSTILE);
    ama.ok("--user", "mallory" + HOSTILE, "upload");
    return ama;
  }

  @Test
  void storedMetadataAndParametersArePrintedEscaped() {
    Ama ama = hostileStore();
    List<String[]> commands = List.of(
        new String[] {"show", "params", "--alias", "m"},
        new String[] {"ls", "params"},
        new String[] {"ls", "params", "--versions"},
        new String[] {"log", "params", "--alias", "m"},
        new String[] {"find", "training.yml"},
        new String[] {"diff", "params", "m@1", "m"},
        new String[] {"compare", "params", "m@1", "m"},
        new String[] {"lineage", "params", "--alias", "m"},
        new String[] {"lineage", "params", "--alias", "m", "--format", "dot"},
        new String[] {"download", "params", "--alias", "m", "-o", "out"},
        new String[] {"status"});
    for (String[] args : commands) {
      Ama.Result r = ama.ok(args);
      assertTerminalSafe(String.join(" ", args), r);
    }
    String show = ama.ok("show", "params", "--alias", "m").out();
    assertTrue(show.contains("description: " + SHOWN) && show.contains("k=" + SHOWN)
        && show.contains("by mallory" + SHOWN), show);
    String diff = ama.ok("diff", "params", "m@1", "m").out();
    assertTrue(diff.contains("lr: 0.1 -> " + SHOWN), diff);
  }

  @Test
  void jsonOutputKeepsTheTextExactAndEscaped() throws IOException {
    Ama ama = hostileStore();
    Ama.Result r = ama.ok("show", "params", "--alias", "m", "--json");
    // Escaped as JSON escapes, so a terminal shown the JSON does not act on them either.
    assertTerminalSafe("show --json", r);
    var node = new ObjectMapper().readTree(r.out());
    assertEquals(HOSTILE, node.get("description").asText());
    assertEquals("mallory" + HOSTILE, node.get("by").asText());
    assertEquals(HOSTILE, node.get("labels").get("k").asText());
  }

  @Test
  void errorMessagesQuotingAName() {
    Ama ama = hostileStore();
    Ama.Result r = ama.run("show", "params", "--alias", "no" + HOSTILE);
    assertEquals(4, r.code(), r.toString());
    assertTerminalSafe("show of a hostile alias", r);
    assertTrue(r.err().contains("no" + SHOWN), r.err());
    Ama.Result missing = ama.run("add", "gone" + HOSTILE);
    assertTerminalSafe("add of a hostile name", missing);
  }
}
