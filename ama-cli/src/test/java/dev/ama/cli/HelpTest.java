package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** {@code ama help}, {@code ama} alone, global options documented once, and help that never breaks a token. */
class HelpTest {
  /** Options every command inherits from {@code ama}, listed once in {@code ama --help}. */
  static final List<String> GLOBAL_OPTIONS =
      List.of("--store", "--user", "--verbose", "--concurrency", "--part-size", "--cache-max", "--quiet");

  /**
   * Widths help is rendered at: picocli's default (80, also its auto width without a terminal), its
   * smallest auto width (55), and wider terminals.
   */
  static final int[] WIDTHS = {55, 80, 100, 120, 160};

  /** What must never be split across lines: URIs and digests (whole, or shortened to a prefix). */
  static final Pattern UNBREAKABLE = Pattern.compile(
      "(?:s3|gs|file)://[^\\s'\")]*[^\\s'\").,;]|sha256:[0-9a-fA-F<>]*[0-9a-fA-F>]|\\b[0-9a-f]{8,64}\\b");

  @TempDir Path tmp;

  @Test
  void amaAlonePrintsAShortUsageOnStderrAndExits2() {
    Ama.Result r = new Ama(tmp).run();
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out());
    assertEquals(AmaCli.SHORT_USAGE, r.err());
    assertTrue(r.err().lines().count() <= 4, r.err());
    assertTrue(r.err().startsWith("usage: ama "), r.err());
    assertTrue(r.err().contains("ama help"), r.err());
  }

  @Test
  void aGroupOfCommandsAloneIsAUsageErrorNamingItsCommands() {
    Ama ama = new Ama(tmp);
    Ama.Result alias = ama.run("alias");
    assertEquals(2, alias.code(), alias.toString());
    assertEquals("", alias.out());
    assertEquals("usage: ama alias set|rm [ARGS...]\nSee 'ama help alias' for what each does.\n", alias.err());
    Ama.Result cache = ama.run("cache");
    assertEquals(2, cache.code(), cache.toString());
    assertTrue(cache.err().startsWith("usage: ama cache ls|"), cache.err());
  }

  @Test
  void helpPrintsTheFullHelpLikeDashDashHelp() {
    Ama ama = new Ama(tmp);
    Ama.Result help = ama.ok("help");
    assertEquals(ama.ok("--help").out(), help.out());
    assertTrue(help.out().contains("Commands:"), help.out());
    assertTrue(help.out().contains("Exit codes:"), help.out());
  }

  @Test
  void helpOfACommandIsThatCommandsHelpNestedOnesToo() {
    Ama ama = new Ama(tmp);
    for (List<String> command : allCommands()) {
      String[] help = Stream.concat(Stream.of("help"), command.stream()).toArray(String[]::new);
      String[] dashDash = Stream.concat(command.stream(), Stream.of("--help")).toArray(String[]::new);
      assertEquals(ama.ok(dashDash).out(), ama.ok(help).out(), "ama help " + command);
    }
    assertTrue(ama.ok("help", "alias", "set").out().startsWith("Usage: ama alias set "));
  }

  @Test
  void helpOfAnUnknownCommandIsAUsageErrorWithTheNearestName() {
    Ama.Result r = new Ama(tmp).run("help", "uplaod");
    assertEquals(2, r.code(), r.toString());
    assertEquals("ama: 'uplaod' is not a command of ama. Did you mean 'upload'? List them with: ama help\n", r.err());
    Ama.Result nested = new Ama(tmp).run("help", "alias", "sett");
    assertEquals(2, nested.code(), nested.toString());
    assertTrue(nested.err().contains("'sett' is not a command of ama alias. Did you mean 'set'?"), nested.err());
  }

  @Test
  void globalOptionsAreListedOnceInTheTopLevelHelpOnly() {
    Ama ama = new Ama(tmp);
    String top = ama.ok("help").out();
    for (String option : GLOBAL_OPTIONS) {
      assertTrue(top.contains(option), option + " missing in\n" + top);
    }
    for (List<String> command : allCommands()) {
      String help = ama.ok(Stream.concat(command.stream(), Stream.of("--help")).toArray(String[]::new)).out();
      for (String option : GLOBAL_OPTIONS) {
        // An option's name ends where no letter or dash follows: --store-format is not --store.
        Pattern listed = Pattern.compile("(?m)^\\s+(-\\w, )?" + option + "(?![\\w-])|\\[" + option + "(?![\\w-])");
        assertFalse(listed.matcher(help).find(), command + " lists " + option + ":\n" + help);
      }
      assertTrue(help.stripTrailing().endsWith(HelpLayout.GLOBAL_OPTIONS_LINE), command + ":\n" + help);
    }
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheCommand() {
    Ama ama = new Ama(tmp);
    assertTrue(ama.ok("--store", "mem:before", "status").out().startsWith("store:  mem:before (--store)"));
    assertTrue(ama.ok("status", "--store", "mem:after").out().startsWith("store:  mem:after (--store)"));
    assertEquals("", ama.ok("init", "models", "--quiet").out());
    Ama.Result verbose = ama.run("init", "Bad!", "--verbose");
    assertTrue(verbose.err().contains("at dev.ama.Names.checkType"), verbose.toString());
  }

  @Test
  void noHelpBreaksAUriOrADigestAtAnyWidth() {
    Map<String, String> wide = renderAll(1000);
    for (int width : WIDTHS) {
      Map<String, String> narrow = renderAll(width);
      for (Map.Entry<String, String> help : wide.entrySet()) {
        String rendered = narrow.get(help.getKey());
        for (String token : tokens(help.getValue())) {
          assertEquals(count(help.getValue(), token), count(rendered, token),
              "'" + token + "' is broken in '" + help.getKey() + " --help' at width " + width + ":\n" + rendered);
        }
      }
    }
  }

  @Test
  void wrappedHelpLinesFitTheWidthUnlessOneTokenIsLonger() {
    for (int width : WIDTHS) {
      renderAll(width).forEach((command, help) -> help.lines().forEach(line -> {
        String[] words = line.strip().split(" ");
        boolean oneLongToken = words.length <= 2 && line.strip().length() > width - 10;
        assertTrue(line.length() <= width || oneLongToken,
            command + " at width " + width + " has a line of " + line.length() + ":\n" + line);
      }));
    }
  }

  @Test
  void findsHelpStatesTheExitCodeItReturns() {
    Ama ama = new Ama(tmp);
    String help = ama.ok("find", "--help").out();
    assertTrue(help.contains("exits with code 3"), help);
    StoreCommandsTest.upload(ama, "params", "inputs", "training.yml", "lr: 0.001\n");
    ama.write("other.yml", "never uploaded");
    assertEquals(ExitCodes.NOT_FOUND, ama.run("find", "other.yml").code());
    assertEquals(ExitCodes.NOT_FOUND, ama.run("find", "other.yml", "--json").code());
  }

  @Test
  void bashCompletionIsAValidScriptThatCompletesCommands() throws Exception {
    Ama ama = new Ama(tmp);
    String script = ama.ok("completion", "bash").out();
    assertTrue(script.contains("complete -F _complete_ama"), script);
    Path file = Ama.write(tmp, "ama.bash", script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String completed = bash("source " + file + " 2>/dev/null; COMP_WORDS=(ama upl); COMP_CWORD=1;"
        + " _complete_ama 2>/dev/null; echo \"${COMPREPLY[@]}\"; COMP_WORDS=(ama completion ''); COMP_CWORD=2;"
        + " _complete_ama 2>/dev/null; echo \"${COMPREPLY[@]}\"");
    assertEquals("upload\nbash zsh\n", completed);
  }

  @Test
  void zshCompletionLoadsTheBashScriptThroughBashcompinit() {
    Ama ama = new Ama(tmp);
    String zsh = ama.ok("completion", "zsh").out();
    assertTrue(zsh.startsWith("#compdef ama\n"), zsh);
    assertTrue(zsh.contains("autoload -U +X bashcompinit && bashcompinit\n"), zsh);
    assertTrue(zsh.endsWith(ama.ok("completion", "bash").out()), "the zsh script ends with the bash one");
    assertTrue(ama.ok("completion", "--help").out().contains("bashcompinit"));
  }

  @Test
  void completionForAnotherShellIsAUsageErrorNamingTheShells() {
    Ama.Result r = new Ama(tmp).run("completion", "fish");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: no completion script for the shell 'fish': give bash or zsh"), r.err());
  }

  /** Every command and nested command, as the words that name it: [upload], [alias, set], ... */
  static List<List<String>> allCommands() {
    List<List<String>> all = new ArrayList<>();
    collect(root(80), new ArrayList<>(), all);
    return all;
  }

  private static void collect(CommandLine line, List<String> path, List<List<String>> all) {
    for (Map.Entry<String, CommandLine> sub : line.getSubcommands().entrySet()) {
      List<String> named = new ArrayList<>(path);
      named.add(sub.getKey());
      all.add(named);
      collect(sub.getValue(), named, all);
    }
  }

  /** {@code ama}'s command line with its help rendered at a fixed width, as without a terminal. */
  static CommandLine root(int width) {
    CommandLine root = AmaCli.commandLine(Path.of("."), Map.of(), new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()));
    root.setUsageHelpAutoWidth(false);
    root.setUsageHelpWidth(width);
    return root;
  }

  /** The help of ama and of every command at a width, by command ("ama", "ama alias set", ...). */
  static Map<String, String> renderAll(int width) {
    CommandLine root = root(width);
    Map<String, String> help = new LinkedHashMap<>();
    help.put("ama", root.getUsageMessage(Ansi.OFF));
    for (List<String> command : allCommands()) {
      CommandLine line = root;
      for (String name : command) {
        line = line.getSubcommands().get(name);
      }
      help.put("ama " + String.join(" ", command), line.getUsageMessage(Ansi.OFF));
    }
    return help;
  }

  private static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    Matcher m = UNBREAKABLE.matcher(text);
    while (m.find()) {
      tokens.add(m.group());
    }
    return tokens;
  }

  private static int count(String text, String token) {
    int n = 0;
    for (int i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + 1)) {
      n++;
    }
    return n;
  }

  private static String bash(String script) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }
}
