package dev.ama.cli;

import dev.ama.AssetClient;
import dev.ama.InvalidInputException;
import dev.ama.Names;
import dev.ama.NotFoundException;
import dev.ama.SigningKey;
import dev.ama.TrustPolicy;
import dev.ama.storage.gcs.GcsStorageProvider;
import dev.ama.storage.s3.S3StorageProvider;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every {@code ama} command shares: the working folder, the output, the stage. */
abstract class AmaCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  AmaCli cli() {
    return (AmaCli) spec.root().userObject();
  }

  Path workDir() {
    return cli().workDir();
  }

  PrintWriter out() {
    return cli().out();
  }

  StageStore stageStore() {
    return cli().stageStore();
  }

  /**
   * The stage of a folder where {@code ama init} has run; explains how to start otherwise. A
   * command that saves it holds {@link StageStore#lock()} from before this call.
   */
  Stage startedStage() {
    Stage stage = stageStore().load();
    if (stage.type().isEmpty()) {
      throw new InvalidInputException(
          "no asset is started in " + workDir() + "; start one with: ama init <type> (for example: ama init rnn_models)");
    }
    return stage;
  }

  /** Opens a client on the configured store, as the configured user, with the configured cache. */
  AssetClient openClient() {
    StartupTrace.mark("arguments parsed");
    Settings settings = cli().settings();
    Settings.Value store = settings.store(cli().storeOption());
    AssetClient.Builder builder = AssetClient.builder()
        .store(store.value())
        .cache(settings.cache())
        .transfers(settings.transfers(cli().concurrencyOption(), cli().partSizeOption()).settings())
        .cacheMax(settings.cacheMax(cli().cacheMaxOption()).map(v -> Long.parseLong(v.value())).orElse(Long.MAX_VALUE));
    nameShippedBackend(builder, store.value());
    settings.user(cli().userOption()).ifPresent(builder::user);
    settings.trust(trustOption()).ifPresent(t -> builder.trust(TrustPolicy.read(Path.of(t.value()))));
    if (!readsStore()) {
      settings.storeFormat(storeFormatOption()).ifPresent(f -> builder.newStoreFormat(Integer.parseInt(f.value())));
    }
    // After the settings: a bad one is the user's to fix first, wherever the store is.
    if (readsStore()) {
      requireExistingFolder(store);
    }
    if (showProgress()) {
      builder.listener(ProgressBars.onTerminal(cli().err()));
    }
    StartupTrace.mark("settings read");
    AssetClient client = builder.build();
    StartupTrace.mark("client open on " + store.value());
    return client;
  }

  /**
   * Names to the builder the backend this distribution ships for the store's scheme, so that no
   * class path search runs for it. Only the one the store uses is made: a command on a local store
   * loads neither cloud backend's classes (naming both loaded ten classes from three Google jars).
   */
  private static void nameShippedBackend(AssetClient.Builder builder, String location) {
    if (location.regionMatches(true, 0, "s3:", 0, 3)) {
      builder.storageProvider(new S3StorageProvider());
    } else if (location.regionMatches(true, 0, "gs:", 0, 3)) {
      builder.storageProvider(new GcsStorageProvider());
    }
  }

  /**
   * Whether this command reads a store that must exist already. Only {@code ama upload} creates a
   * store; commands about the local cache alone need none.
   */
  boolean readsStore() {
    return true;
  }

  /**
   * Refuses a filesystem store whose folder does not exist, before the store is asked: a mistyped
   * {@code --store} must not read as an empty store, nor be reported as unreachable.
   */
  static void requireExistingFolder(Settings.Value store) {
    Optional<Path> folder = Settings.localFolder(store.value());
    if (folder.isPresent() && !Files.exists(folder.get())) {
      String from = store.origin().equals("default") ? "the default store" : "from " + store.origin();
      throw new NotFoundException("no store at " + folder.get() + " (" + from + "): the folder does not exist. A store"
          + " is created by the first 'ama upload' into it; check --store and AMA_STORE for a typo");
    }
  }

  /**
   * Whether long transfers show progress bars on stderr: when a person watches ({@code
   * AMA_PROGRESS=1}, set by {@link AmaCli#main} at a terminal), unless {@code --quiet}, and never
   * for machine output.
   */
  boolean showProgress() {
    return "1".equals(cli().env().get(ProgressBars.ENV)) && !cli().quiet() && !machineOutput();
  }

  /** The {@code --store-format} option of commands that create stores; else {@code AMA_STORE_FORMAT} or the config file decides. */
  Optional<Integer> storeFormatOption() {
    return Optional.empty();
  }

  /**
   * A note that {@code --store-format} did not apply because the store existed already in another
   * format; empty otherwise. A note rather than a refusal: the upload itself is what was asked.
   */
  Optional<String> storeFormatNote(AssetClient client) {
    Optional<Integer> asked = storeFormatOption();
    if (asked.isEmpty() || client.storeFormat() == asked.get()) {
      return Optional.empty();
    }
    return Optional.of("note: the store existed already and is in format " + client.storeFormat() + "; --store-format"
        + " applies only to a store the upload creates" + (client.storeFormat() == 1 ? " ('ama migrate' moves it to 2)" : ""));
  }

  /** The {@code --trust} option of commands that have one; else {@code AMA_TRUST} or the config file decides. */
  Optional<String> trustOption() {
    return Optional.empty();
  }

  /**
   * A signing key named on the command line: a PEM private key file, or a PKCS12 KeyStore {@code
   * FILE.p12[:ENTRY]} whose password is in {@code AMA_KEY_PASSWORD} (the entry defaults to the only one).
   */
  SigningKey signingKey(String arg) {
    int colon = arg.lastIndexOf(':');
    String file = colon > 0 && arg.substring(0, colon).matches(".*\\.(p12|pfx)") ? arg.substring(0, colon) : arg;
    Path path = workDir().resolve(file);
    if (!file.endsWith(".p12") && !file.endsWith(".pfx")) {
      return SigningKey.read(path);
    }
    String password = cli().env().get(Settings.ENV_KEY_PASSWORD);
    if (password == null) {
      throw new InvalidInputException("the KeyStore " + file + " needs its password in " + Settings.ENV_KEY_PASSWORD
          + " (not on the command line, where other users could see it); set it and run again");
    }
    String fileName = path.getFileName().toString();
    String name = fileName.substring(0, fileName.length() - 4);
    return SigningKey.fromKeyStore(path, password.toCharArray(), file.equals(arg) ? name : arg.substring(colon + 1), name);
  }

  /**
   * What a command that only groups others ({@code ama alias}, {@code ama cache}) does alone: a
   * short usage on stderr and exit 2, as {@code ama} alone does, rather than its help as if asked.
   */
  int missingSubcommand() {
    String name = spec.qualifiedName();
    cli().err().print("usage: " + name + " " + String.join("|", spec.subcommands().keySet()) + " [ARGS...]\n"
        + "See 'ama help " + name.substring(name.indexOf(' ') + 1) + "' for what each does.\n");
    return ExitCodes.USAGE;
  }

  /** Whether this run prints JSON for a program: {@code --json} is given, on commands that have it. */
  boolean machineOutput() {
    OptionSpec json = spec.findOption("--json");
    return json != null && Boolean.TRUE.equals(json.getValue());
  }

  /** Prints a confirmation such as "uploaded ..." unless {@code --quiet}, terminal-safe: it names files. */
  void info(String line) {
    if (!cli().quiet()) {
      out().println(TerminalText.safe(line));
    }
  }

  /** A path for display: relative to the working folder when inside it. */
  String display(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    if (absolute.equals(workDir())) {
      return ".";
    }
    return absolute.startsWith(workDir()) ? workDir().relativize(absolute).toString() : absolute.toString();
  }

  /** Whether a selector is a plain alias name rather than alias@N or a digest. */
  static boolean isAliasName(String selector) {
    return Names.isValidAlias(selector);
  }

  /** Whether -v or --verbose was given, before the command name or after it. */
  boolean verboseAsked() {
    for (CommandLine c = spec.commandLine(); c != null; c = c.getParent()) {
      if (c.getParseResult() != null && c.getParseResult().hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** A usage error of this command, reported with exit code 2 like picocli's own. */
  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
