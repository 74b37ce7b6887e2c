package dev.ama.cli;

import dev.ama.AmaException;
import dev.ama.InvalidInputException;
import dev.ama.NotFoundException;
import java.io.Console;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code ama} command. {@link #main} runs it in the real environment; {@link #run} runs it
 * in-process with an injected working folder and environment, which is what tests use.
 */
@Command(
    name = "ama",
    mixinStandardHelpOptions = true,
    versionProvider = AmaCli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    synopsisSubcommandLabel = "COMMAND",
    description = {
      "Asset manager for machine-learning artifacts.",
      "",
      "Turns folders of files into immutable, content-addressed asset versions, names them with"
          + " aliases, links them with refs, and shares them through a bucket (S3, GCS) or a local folder.",
      "",
      "Typical use, in the folder holding the files:",
      "  ama init nlp_embeddings",
      "  ama add git_commit_info_ckpt0.yml, run_config_ckpt0.yml, training.yml",
      "  ama set --alias my_training_inputs",
      "  ama upload",
      "  ama download nlp_embeddings --alias my_training_inputs"
    },
    commandListHeading = "%nCommands:%n",
    optionListHeading = "%nGlobal options (before or after the command, as in ama ls --store DIR):%n",
    footer = {
      "%nStore: --store, else AMA_STORE, else 'store:' in ~/.ama/config.yml,",
      "  else ~/.ama/store. A store is a folder or a URI such as /data/store,",
      "  s3://bucket/prefix, gs://bucket/prefix or mem:NAME.",
      "User: --user, else AMA_USER, else the operating system user.",
      "Cache: AMA_CACHE, else ~/.cache/ama. Its size cap: --cache-max, else",
      "  AMA_CACHE_MAX, else 'cache_max:' in ~/.ama/config.yml, else none.",
      "Transfers: --concurrency, else AMA_CONCURRENCY, else 'concurrency:' in",
      "  ~/.ama/config.yml, else 16; --part-size, else AMA_PART_SIZE, else",
      "  'part_size:' in ~/.ama/config.yml, else 8MiB.",
      "Progress bars: on stderr at a terminal; AMA_PROGRESS=0 turns them off.",
      "Staging state lives in .ama/ of the working folder.",
      "JSON (--json): one object whose first field is \"schema\": 1; lists are in",
      "  a field of it, such as {\"schema\": 1, \"versions\": [...]}. Who and when:",
      "  by, at; times are UTC to the millisecond, 2026-11-22T07:50:12.000Z, in",
      "  tables too. See docs/cli.md.",
      ExitCodes.HELP_LIST
    })
public final class AmaCli implements Callable<Integer> {
  /**
   * The commands by name, in the order the help lists them. Registered here rather than in the
   * annotation so that a run builds picocli's model of the one command it runs, not of all of them
   * (most of a short command's start-up otherwise: picocli reads every command's annotations by
   * reflection). Each name is its class's {@code @Command(name)}, as {@code CommandTableTest} checks.
   */
  static final Map<String, Class<?>> COMMANDS = commands(
      "init", InitCommand.class,
      "add", AddCommand.class,
      "set", SetCommand.class,
      "rm", RemoveCommand.class,
      "status", StatusCommand.class,
      "upload", UploadCommand.class,
      "import", ImportCommand.class,
      "download", DownloadCommand.class,
      "ls", LsCommand.class,
      "show", ShowCommand.class,
      "log", LogCommand.class,
      "find", FindCommand.class,
      "diff", DiffCommand.class,
      "compare", CompareCommand.class,
      "lineage", LineageCommand.class,
      "ui", UiCommand.class,
      "alias", AliasCommand.class,
      "verify", VerifyCommand.class,
      "gc", GcCommand.class,
      "migrate", MigrateCommand.class,
      "compact", CompactCommand.class,
      "doctor", DoctorCommand.class,
      "cache", CacheCommand.class,
      "sign", SignCommand.class,
      "key", KeyCommand.class,
      "help", HelpCommand.class,
      "completion", CompletionCommand.class);

  /** Commands that read the whole command tree: they always get every command. */
  private static final Set<String> NEED_ALL = Set.of("help", "completion");

  /** Global options followed by a value (unless written as {@code --name=value}). */
  private static final Set<String> GLOBAL_WITH_VALUE = Set.of("--store", "--user", "--concurrency", "--part-size",
      "--cache-max");

  /** Global options without a value that do not print help or the version. */
  private static final Set<String> GLOBAL_FLAGS = Set.of("-v", "--verbose", "-q", "--quiet", "-vq", "-qv");

  /** picocli's system property that turns off its look-up of Groovy. */
  private static final String PICOCLI_CLOSURES = "picocli.disable.closures";

  private final Path workDir;
  private final Map<String, String> env;
  private final PrintWriter out;
  private final PrintWriter err;

  private Optional<String> store = Optional.empty();
  private Optional<String> user = Optional.empty();
  private boolean verbose;
  private boolean quiet;
  private Optional<Integer> concurrency = Optional.empty();
  private Optional<Long> partSize = Optional.empty();
  private Optional<Optional<Long>> cacheMax = Optional.empty();

  @Spec CommandSpec spec;

  private AmaCli(Path workDir, Map<String, String> env, PrintWriter out, PrintWriter err) {
    this.workDir = workDir;
    this.env = env;
    this.out = out;
    this.err = err;
  }

  // Each option has an order: picocli lists options of setter methods in reflection order, which
  // the JVM does not keep stable from one run to the next, and the help must not change by itself.
  // Setters ignore null: picocli resets inherited options to their default (null) when it enters a
  // subcommand, which would otherwise forget a value given before the command name.
  @Option(
      names = "--store",
      order = 1,
      paramLabel = "PATH_OR_URI",
      scope = ScopeType.INHERIT,
      description = "The store: a folder, or a URI such as s3://bucket/prefix (also file:, gs:, mem:).")
  void store(String value) {
    if (value != null) {
      store = Optional.of(value);
    }
  }

  @Option(
      names = "--user",
      order = 2,
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description = "Who is recorded as uploader and alias mover (default: AMA_USER, else the OS user).")
  void user(String value) {
    if (value != null) {
      user = Optional.of(value);
    }
  }

  @Option(
      names = {"-v", "--verbose"},
      order = 4,
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error after its one-line message.")
  void verbose(boolean value) {
    verbose |= value;
  }

  @Option(
      names = "--concurrency",
      order = 5,
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      description = "Files hashed, uploaded or downloaded at once, 1 to " + Settings.MAX_CONCURRENCY
          + " (default: AMA_CONCURRENCY, else the config file, else 16).")
  void concurrency(String value) {
    if (value != null) {
      try {
        concurrency = Optional.of(Settings.concurrency(value, "--concurrency"));
      } catch (InvalidInputException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
  }

  @Option(
      names = "--part-size",
      order = 6,
      paramLabel = "SIZE",
      scope = ScopeType.INHERIT,
      description = "Size of one ranged read of a large file, 64KiB to 1GiB: 8MiB, 64KiB or bytes"
          + " (default: AMA_PART_SIZE, else the config file, else 8MiB).")
  void partSize(String value) {
    if (value != null) {
      try {
        partSize = Optional.of(Settings.partSize(value, "--part-size"));
      } catch (InvalidInputException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
  }

  @Option(
      names = "--cache-max",
      order = 7,
      paramLabel = "SIZE",
      scope = ScopeType.INHERIT,
      description = "Cap on the local cache's size on disk, such as 10GiB, or none; least recently used versions"
          + " are evicted beyond it (default: AMA_CACHE_MAX, else the config file, else none).")
  void cacheMax(String value) {
    if (value != null) {
      try {
        cacheMax = Optional.of(Settings.cacheMax(value, "--cache-max"));
      } catch (InvalidInputException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
  }

  @Option(
      names = {"-q", "--quiet"},
      order = 3,
      scope = ScopeType.INHERIT,
      description = "No progress bars and no confirmations such as 'uploaded ...'; errors and the data"
          + " asked for (ls, show, --json, ...) are still printed.")
  void quiet(boolean value) {
    quiet |= value;
  }

  /** What {@code ama} alone prints, on stderr, as git does: enough to find the full help. */
  static final String SHORT_USAGE = """
      usage: ama [GLOBAL OPTIONS] COMMAND [ARGS...]
      Common commands: init, add, set, status, upload, download, ls, show, log
      See 'ama help' for all commands and global options, 'ama help COMMAND' for one.
      """;

  @Override
  public Integer call() {
    err.print(SHORT_USAGE);
    return ExitCodes.USAGE;
  }

  /**
   * Runs {@code ama} in-process.
   *
   * @param workDir the working folder: where {@code .ama/} lives and relative paths start
   * @param env the environment: {@code AMA_STORE}, {@code AMA_USER}, {@code AMA_CACHE}, {@code
   *     AMA_CONCURRENCY}, {@code AMA_PART_SIZE}, {@code AMA_CACHE_MAX}, {@code AMA_PROGRESS}, {@code HOME} and {@code USER}
   *     are read; nothing is read from the real environment. {@code AMA_PROGRESS=1} draws progress
   *     bars into {@code err} as if it were a terminal
   * @param out where results go
   * @param err where errors go: one line {@code ama: <message>}, plus a stack trace with {@code
   *     --verbose}
   * @param args the command line, such as {@code "add", "a.yml,", "b.yml"}
   * @return the exit code; see {@code ama --help}
   */
  public static int run(Path workDir, Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    Optional<String> only = commandToRun(args);
    CommandLine commandLine = commandLine(workDir, env, out, err, only);
    StartupTrace.mark("picocli model built (" + only.orElse("every command") + ")");
    try {
      return commandLine.execute(args);
    } finally {
      StartupTrace.mark("command run");
      out.flush();
      err.flush();
    }
  }

  /**
   * The {@code ama} command line, ready to execute: for {@link #run}, and for tests that render its
   * help at a chosen width.
   */
  static CommandLine commandLine(Path workDir, Map<String, String> env, PrintWriter out, PrintWriter err) {
    return commandLine(workDir, env, out, err, Optional.empty());
  }

  /** The command line with {@code only} as its one command, or with every command. */
  private static CommandLine commandLine(Path workDir, Map<String, String> env, PrintWriter out, PrintWriter err,
      Optional<String> only) {
    Objects.requireNonNull(workDir, "workDir");
    AmaCli cli = new AmaCli(workDir.toAbsolutePath().normalize(), Map.copyOf(env), out, err);
    CommandLine commandLine = new CommandLine(cli);
    if (only.isPresent()) {
      commandLine.addSubcommand(only.get(), COMMANDS.get(only.get()));
    } else {
      COMMANDS.forEach(commandLine::addSubcommand);
    }
    commandLine.setHelpFactory(new HelpLayout());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setParameterExceptionHandler(cli::onUsageError);
    commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> cli.onError(e));
    return commandLine;
  }

  /**
   * The command {@code args} run, if the model of that command alone parses them exactly as the
   * whole tree would: its name comes first after global options only, no help or version is asked
   * of {@code ama} itself, and the command does not read the tree ({@code help}, {@code
   * completion}). Empty in every other case (no command, a misspelt one, an unknown option), which
   * then gets the whole tree, its suggestions and its help.
   */
  static Optional<String> commandToRun(String... args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (GLOBAL_WITH_VALUE.contains(arg)) {
        i++;
      } else if (arg.startsWith("--") && arg.contains("=")
          && GLOBAL_WITH_VALUE.contains(arg.substring(0, arg.indexOf('=')))) {
        continue;
      } else if (!GLOBAL_FLAGS.contains(arg)) {
        return COMMANDS.containsKey(arg) && !NEED_ALL.contains(arg) ? Optional.of(arg) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static Map<String, Class<?>> commands(Object... nameThenClass) {
    Map<String, Class<?>> commands = new LinkedHashMap<>();
    for (int i = 0; i < nameThenClass.length; i += 2) {
      commands.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
    }
    return Collections.unmodifiableMap(commands);
  }

  /** Runs {@code ama} in the current directory with the real environment and exits with its code. */
  public static void main(String... args) {
    StartupTrace.mark("main");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putIfAbsent(Settings.ENV_HOME, System.getProperty("user.home"));
    env.putIfAbsent(Settings.ENV_OS_USER, System.getProperty("user.name"));
    // A console means a person is watching: show progress of long transfers on stderr.
    if (interactive()) {
      env.putIfAbsent(ProgressBars.ENV, "1");
    }
    StartupTrace.mark("environment read, terminal checked");
    // Some cloud SDKs log through java.util.logging, whose default handler writes to stderr; that
    // would break the one-line error contract. --verbose keeps their messages.
    QuietLogging.install(List.of(args).contains("--verbose") || List.of(args).contains("-v"));
    // picocli looks for Groovy (groovy.lang.Closure, for closures in annotations) unless told not
    // to; the miss searched every jar of the class path, some 100, on each run.
    if (System.getProperty(PICOCLI_CLOSURES) == null) {
      System.setProperty(PICOCLI_CLOSURES, "true");
    }
    // UTF-8 whatever the locale: file names and JSON must come out intact, not as '?'.
    PrintWriter out = new PrintWriter(
        new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(
        new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
    int code = run(Path.of("").toAbsolutePath(), env, out, err, args);
    StartupTrace.print(System.err);
    // Success with nothing left running ends by returning: System.exit on JDK 21 and later logs the
    // exit through System.Logger, whose first use searches every jar of the class path (some 100)
    // for a logger finder, a tenth of a second of a short command.
    if (code != 0 || otherThreadsKeepRunning()) {
      System.exit(code);
    }
  }

  /** Whether a thread other than this one would keep the JVM running after {@code main} returns. */
  private static boolean otherThreadsKeepRunning() {
    Thread current = Thread.currentThread();
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t != current && t.isAlive() && !t.isDaemon() && !t.getName().equals("DestroyJavaVM"));
  }

  Path workDir() {
    return workDir;
  }

  Map<String, String> env() {
    return env;
  }

  PrintWriter out() {
    return out;
  }

  PrintWriter err() {
    return err;
  }

  boolean quiet() {
    return quiet;
  }

  Optional<Integer> concurrencyOption() {
    return concurrency;
  }

  Optional<Long> partSizeOption() {
    return partSize;
  }

  /** {@code --cache-max}: absent if not given, else the cap, empty for {@code none}. */
  Optional<Optional<Long>> cacheMaxOption() {
    return cacheMax;
  }

  Optional<String> storeOption() {
    return store;
  }

  Optional<String> userOption() {
    return user;
  }

  Settings settings() {
    return new Settings(workDir, env);
  }

  StageStore stageStore() {
    return new StageStore(workDir);
  }

  private int onUsageError(ParameterException e, String[] args) {
    StringBuilder message = new StringBuilder(oneLine(e.getMessage()));
    if (e instanceof UnmatchedArgumentException unmatched) {
      List<String> suggestions = unmatched.getSuggestions();
      // picocli's similarity suggests 'completion' for 'uplaod'; keep the names AMA calls near, if any.
      String wanted = unmatched.getUnmatched().isEmpty() ? "" : unmatched.getUnmatched().get(0);
      List<String> near = NotFoundException.suggesting(wanted, suggestions, hint -> "").nearNames();
      if (!near.isEmpty()) {
        suggestions = near;
      }
      if (!suggestions.isEmpty()) {
        message.append(". Did you mean ")
            .append(String.join(" or ", suggestions.stream().map(s -> "'" + s + "'").toList()))
            .append('?');
      }
    }
    CommandSpec failed = e.getCommandLine().getCommandSpec();
    // The help command's own errors already say where to look.
    if (!(failed.userObject() instanceof HelpCommand)) {
      message.append(" (see '").append(failed.qualifiedName()).append(" --help')");
    }
    err.println("ama: " + TerminalText.safe(message.toString()));
    if (verbose) {
      e.printStackTrace(err);
    }
    return ExitCodes.USAGE;
  }

  private int onError(Exception e) {
    String message;
    int code = ExitCodes.of(e);
    if (e instanceof AmaException) {
      message = e.getMessage();
    } else if (e instanceof InvalidPathException invalid) {
      // The JVM maps file names through the locale's charset; under LANG=C it cannot name Größe.yml.
      message = "cannot use the file name '" + invalid.getInput() + "': " + invalid.getReason()
          + "; if it holds non-ASCII letters, run ama under a UTF-8 locale, such as LC_ALL=C.UTF-8";
      code = ExitCodes.INVALID_INPUT;
    } else if (e instanceof UncheckedIOException || e instanceof IOException) {
      message = e.getMessage() + (verbose ? "" : " (run with --verbose for details)");
    } else {
      message = "unexpected error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)");
    }
    // Messages quote names from the store and the command line; a terminal must not act on them.
    err.println("ama: " + TerminalText.safe(oneLine(message)));
    if (verbose) {
      e.printStackTrace(err);
    }
    return code;
  }

  /**
   * Whether a person is at a terminal. Up to Java 21 a console exists only when stdin and stdout
   * are terminals; from Java 22 it may exist without one, and isTerminal() tells.
   */
  private static boolean interactive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  static String oneLine(String message) {
    return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /**
   * What {@code --version} prints: the version and git commit Maven wrote into the jar, and the
   * Java runtime, whose version and location are the first things to know about a failing install.
   */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = AmaCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      // A build outside git (a source archive) or with the lookup skipped leaves no hash here.
      String commit = p.getProperty("commit", "");
      if (!commit.matches("[0-9a-f]{4,40}")) {
        commit = "unknown";
      }
      return new String[] {
        "ama " + p.getProperty("version", "(unknown version)") + " (commit " + commit + ")",
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ") at "
            + System.getProperty("java.home")
      };
    }
  }
}
