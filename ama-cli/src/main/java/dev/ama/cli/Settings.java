package dev.ama.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ama.InvalidInputException;
import dev.ama.TransferSettings;
import dev.ama.spi.StorageOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the store, the user, the cache and the transfer tuning come from, first match wins:
 *
 * <ul>
 *   <li>store: {@code --store}, {@code AMA_STORE}, {@code store:} in {@code ~/.ama/config.yml},
 *       {@code ~/.ama/store}
 *   <li>user: {@code --user}, {@code AMA_USER}, the operating system user
 *   <li>cache: {@code AMA_CACHE}, {@code ~/.cache/ama}
 *   <li>cache cap: {@code --cache-max}, {@code AMA_CACHE_MAX}, {@code cache_max:} in the config
 *       file, else none
 *   <li>concurrency: {@code --concurrency}, {@code AMA_CONCURRENCY}, {@code concurrency:} in the
 *       config file, {@link TransferSettings#DEFAULTS}
 *   <li>part size: {@code --part-size}, {@code AMA_PART_SIZE}, {@code part_size:} in the config
 *       file, {@link TransferSettings#DEFAULTS}
 * </ul>
 *
 * <p>Relative store paths are resolved against the working folder (flag, environment) or the
 * config file's folder (config file), never the JVM's current directory, so in-process runs with
 * an injected working folder behave like the real command. A leading {@code ~/} means the home
 * folder.
 */
final class Settings {
  static final String ENV_STORE = "AMA_STORE";
  static final String ENV_USER = "AMA_USER";
  static final String ENV_CACHE = "AMA_CACHE";
  static final String ENV_CONCURRENCY = "AMA_CONCURRENCY";
  static final String ENV_PART_SIZE = "AMA_PART_SIZE";
  static final String ENV_CACHE_MAX = "AMA_CACHE_MAX";
  static final String ENV_TRUST = "AMA_TRUST";
  static final String ENV_STORE_FORMAT = "AMA_STORE_FORMAT";
  /** The password of a PKCS12 KeyStore given to --sign or --key. */
  static final String ENV_KEY_PASSWORD = "AMA_KEY_PASSWORD";
  static final int MAX_CONCURRENCY = 256;
  static final long MIN_PART_SIZE = 64L * 1024;
  /** Far above any useful part, and a download holds a few parts in memory at once. */
  static final long MAX_PART_SIZE = 1024L * 1024 * 1024;
  /** What the config file may hold, for messages. */
  static final String EXAMPLE = "store: s3://bucket/prefix\nconcurrency: 8\npart_size: 16MiB\ncache_max: 10GiB\n";
  static final String SIZE_FORMS = "such as 8MiB, 64KiB, 1GiB or 1048576 (bytes)";
  static final String ENV_HOME = "HOME";
  /** Set by {@link AmaCli#main} from the JVM; the operating system user. */
  static final String ENV_OS_USER = "USER";

  private static final Pattern URI_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:.*", Pattern.DOTALL);

  /** A setting's value and where it came from, for {@code ama status}. */
  record Value(String value, String origin) {}

  /** The transfer tuning and where each part of it came from, for {@code ama status}. */
  record Transfers(TransferSettings settings, String concurrencyOrigin, String partSizeOrigin) {}

  private final Path workDir;
  private final Map<String, String> env;
  /** The config file's content, read once; null until then. */
  private Optional<JsonNode> configRoot;

  Settings(Path workDir, Map<String, String> env) {
    this.workDir = workDir;
    this.env = env;
  }

  Optional<Path> home() {
    return nonBlank(env.get(ENV_HOME)).map(Path::of);
  }

  Path configFile() {
    return home().map(h -> h.resolve(".ama").resolve("config.yml")).orElse(null);
  }

  /**
   * The trust policy's folder or file, if any: {@code --trust}, {@code AMA_TRUST}, {@code trust:} in
   * the config file (relative to the config file's folder).
   */
  Optional<Value> trust(Optional<String> flag) {
    if (flag.isPresent() && !flag.get().isBlank()) {
      return Optional.of(new Value(workDir.resolve(flag.get()).normalize().toString(), "--trust"));
    }
    Optional<String> fromEnv = nonBlank(env.get(ENV_TRUST));
    if (fromEnv.isPresent()) {
      return Optional.of(new Value(workDir.resolve(fromEnv.get()).normalize().toString(), ENV_TRUST));
    }
    Path config = configFile();
    return config == null ? Optional.empty() : configValue(config, "trust")
        .map(v -> new Value(config.getParent().resolve(v).normalize().toString(), "'trust' in " + config));
  }

  /** The store location: a URI, or an absolute filesystem path. */
  Value store(Optional<String> flag) {
    if (flag.isPresent() && !flag.get().isBlank()) {
      return new Value(absolute(flag.get(), workDir), "--store");
    }
    Optional<String> fromEnv = nonBlank(env.get(ENV_STORE));
    if (fromEnv.isPresent()) {
      return new Value(absolute(fromEnv.get(), workDir), ENV_STORE);
    }
    Path home = home().orElseThrow(() -> new InvalidInputException(
        "no store is configured and HOME is not set, so the default ~/.ama/store cannot be used;"
            + " give --store PATH_OR_URI or set " + ENV_STORE));
    Path config = configFile();
    Optional<String> fromConfig = readConfigStore(config);
    if (fromConfig.isPresent()) {
      return new Value(absolute(fromConfig.get(), config.getParent()), config.toString());
    }
    return new Value(home.resolve(".ama").resolve("store").toString(), "default");
  }

  /**
   * The folder of a filesystem store: a location without a scheme (already absolute), or a {@code
   * file:} URI; empty for other stores, and for a {@code file:} URI that names no path.
   */
  static Optional<Path> localFolder(String location) {
    if (!URI_SCHEME.matcher(location).matches()) {
      return Optional.of(Path.of(location));
    }
    if (!location.regionMatches(true, 0, "file:", 0, 5)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(URI.create(location).getPath()));
    } catch (IllegalArgumentException | NullPointerException e) {
      return Optional.empty(); // the store itself reports a malformed URI, with its rules
    }
  }

  /**
   * Who uploads, if known; the core decides when it is not.
   *
   * @throws InvalidInputException if {@code --user} or {@code AMA_USER} is given but blank: a user
   *     asked for by name must not silently become someone else
   */
  Optional<String> user(Optional<String> flag) {
    if (flag.isPresent()) {
      if (flag.get().isBlank()) {
        throw new InvalidInputException("invalid user '" + flag.get() + "' (from --user): give a name, such as"
            + " --user alice, or leave --user out to use " + ENV_USER + " or the operating system user");
      }
      return flag;
    }
    String fromEnv = env.get(ENV_USER);
    if (fromEnv != null) {
      if (fromEnv.isBlank()) {
        throw new InvalidInputException("invalid user '" + fromEnv + "' (from " + ENV_USER + "): give a name, such as "
            + ENV_USER + "=alice, or unset " + ENV_USER + " to use the operating system user");
      }
      return Optional.of(fromEnv);
    }
    return nonBlank(env.get(ENV_OS_USER));
  }

  /** The local cache folder. */
  Path cache() {
    Optional<String> fromEnv = nonBlank(env.get(ENV_CACHE));
    if (fromEnv.isPresent()) {
      return Path.of(expandHome(fromEnv.get()));
    }
    Path home = home().orElseThrow(() -> new InvalidInputException(
        "HOME is not set, so the default cache ~/.cache/ama cannot be used; set " + ENV_CACHE + " to a folder"));
    return home.resolve(".cache").resolve("ama");
  }

  /**
   * The local cache's size cap in bytes, and where it came from; empty for none (also when a
   * source says {@code none}, so a flag can lift a cap the config file sets).
   *
   * @param flag {@code --cache-max}, already checked: a size, or empty for {@code none}
   */
  Optional<Value> cacheMax(Optional<Optional<Long>> flag) {
    if (flag.isPresent()) {
      return flag.get().map(b -> new Value(Long.toString(b), "--cache-max"));
    }
    return fromEnvOrConfig(ENV_CACHE_MAX, "cache_max")
        .flatMap(v -> cacheMax(v.value(), v.origin()).map(b -> new Value(Long.toString(b), v.origin())));
  }

  /**
   * A cache cap: a size by the rule every size follows ({@link StorageOptions#parseSize}), or
   * {@code none} for no cap.
   *
   * @throws InvalidInputException naming the origin and the accepted forms
   */
  static Optional<Long> cacheMax(String text, String origin) {
    if (text.strip().equalsIgnoreCase("none")) {
      return Optional.empty();
    }
    return Optional.of(size(text, origin, "cache cap", 0, Long.MAX_VALUE - 1, " or none for no cap"));
  }

  /**
   * The format of a store this command creates, and where it came from; empty for the library's
   * default. Existing stores keep their own.
   *
   * @param flag {@code --store-format}, already checked
   * @throws InvalidInputException if the environment or config file gives something other than 1 or 2
   */
  Optional<Value> storeFormat(Optional<Integer> flag) {
    if (flag.isPresent()) {
      return Optional.of(new Value(Integer.toString(storeFormat(flag.get().toString(), "--store-format")), "--store-format"));
    }
    return fromEnvOrConfig(ENV_STORE_FORMAT, "store_format")
        .map(v -> new Value(Integer.toString(storeFormat(v.value(), v.origin())), v.origin()));
  }

  /**
   * A store format version: 1 or 2.
   *
   * @throws InvalidInputException naming the origin and the accepted values
   */
  static int storeFormat(String text, String origin) {
    String t = text.strip();
    if (t.equals("1") || t.equals("2")) {
      return Integer.parseInt(t);
    }
    throw new InvalidInputException("invalid store format '" + text + "' (from " + origin + "): give 2 (small files in"
        + " packs, the default) or 1 (for stores that AMA releases older than format 2 must read)");
  }

  /**
   * How transfers use threads and memory.
   *
   * @param concurrencyFlag {@code --concurrency}, already checked
   * @param partSizeFlag {@code --part-size} in bytes, already checked
   */
  Transfers transfers(Optional<Integer> concurrencyFlag, Optional<Long> partSizeFlag) {
    TransferSettings settings = TransferSettings.DEFAULTS;
    String concurrencyOrigin = "default";
    String partSizeOrigin = "default";
    if (concurrencyFlag.isPresent()) {
      settings = settings.withConcurrency(concurrencyFlag.get());
      concurrencyOrigin = "--concurrency";
    } else {
      Optional<Value> found = fromEnvOrConfig(ENV_CONCURRENCY, "concurrency");
      if (found.isPresent()) {
        settings = settings.withConcurrency(concurrency(found.get().value(), found.get().origin()));
        concurrencyOrigin = found.get().origin();
      }
    }
    if (partSizeFlag.isPresent()) {
      settings = settings.withPartSize(Math.toIntExact(partSizeFlag.get()));
      partSizeOrigin = "--part-size";
    } else {
      Optional<Value> found = fromEnvOrConfig(ENV_PART_SIZE, "part_size");
      if (found.isPresent()) {
        settings = settings.withPartSize(Math.toIntExact(partSize(found.get().value(), found.get().origin())));
        partSizeOrigin = found.get().origin();
      }
    }
    return new Transfers(settings, concurrencyOrigin, partSizeOrigin);
  }

  /** An environment variable, else a key of the config file, with where it came from. */
  private Optional<Value> fromEnvOrConfig(String envName, String key) {
    Optional<String> fromEnv = nonBlank(env.get(envName));
    if (fromEnv.isPresent()) {
      return Optional.of(new Value(fromEnv.get().strip(), envName));
    }
    if (home().isEmpty()) {
      return Optional.empty();
    }
    Path config = configFile();
    return configValue(config, key).map(v -> new Value(v, "'" + key + "' in " + config));
  }

  /**
   * Files hashed, uploaded or downloaded at once: 1 to {@value #MAX_CONCURRENCY}.
   *
   * @throws InvalidInputException naming the origin and the accepted values
   */
  static int concurrency(String text, String origin) {
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 1 && n <= MAX_CONCURRENCY) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, with the accepted values
    }
    throw new InvalidInputException("invalid concurrency '" + text + "' (from " + origin + "): give a whole number from 1 to "
        + MAX_CONCURRENCY + ", such as 8");
  }

  /**
   * A part size in bytes, from 64 KiB to 1 GiB, read by the size rule every store option follows
   * ({@link StorageOptions#parseSize}): a number of bytes or a number with a unit, all powers of
   * 1024, so {@code 8MB}, {@code 8MiB}, {@code 8m} and {@code 8388608} are the same.
   *
   * @throws InvalidInputException naming the origin and the accepted forms
   */
  static long partSize(String text, String origin) {
    return size(text, origin, "part size", MIN_PART_SIZE, MAX_PART_SIZE, "");
  }

  /**
   * A size from {@code min} to {@code max} bytes by {@link StorageOptions#parseSize}.
   *
   * @param what the setting, for messages, such as {@code part size}
   * @param more other accepted forms, for messages
   * @throws InvalidInputException naming the origin and the accepted forms
   */
  private static long size(String text, String origin, String what, long min, long max, String more) {
    long bytes;
    try {
      bytes = StorageOptions.parseSize(text);
    } catch (IllegalArgumentException e) {
      if (!(e.getCause() instanceof ArithmeticException)) {
        throw new InvalidInputException("invalid " + what + " '" + text + "' (from " + origin + "): give a size " + SIZE_FORMS
            + more + "; units are " + StorageOptions.SIZE_UNITS);
      }
      bytes = Long.MAX_VALUE; // well-formed but huge: out of range, said below
    }
    if (bytes < min || bytes > max) {
      throw new InvalidInputException("invalid " + what + " '" + text + "' (from " + origin + "): it must be from "
          + StorageOptions.formatSize(min) + " to " + StorageOptions.formatSize(max) + ", " + SIZE_FORMS + more);
    }
    return bytes;
  }

  private Optional<String> readConfigStore(Path config) {
    Optional<String> store = configValue(config, "store");
    if (store.isPresent() && store.get().isBlank()) {
      throw new InvalidInputException(
          "'store' in the config file " + config + " must be a path or URI such as s3://bucket/prefix");
    }
    return store;
  }

  /** A key of the config file as text; empty if the file or the key is absent. */
  private Optional<String> configValue(Path config, String key) {
    Optional<JsonNode> root = config(config);
    JsonNode node = root.map(r -> r.get(key)).orElse(null);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isValueNode()) {
      throw new InvalidInputException("'" + key + "' in the config file " + config + " must be a single value, such as '"
          + EXAMPLE.lines().filter(l -> l.startsWith(key + ":")).findFirst().orElse(key + ": VALUE") + "'");
    }
    return Optional.of(node.asText().trim());
  }

  private Optional<JsonNode> config(Path config) {
    if (configRoot == null) {
      configRoot = readConfig(config);
    }
    return configRoot;
  }

  private static Optional<JsonNode> readConfig(Path config) {
    if (!Files.isRegularFile(config)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(config.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read the config file " + config + ": " + firstLine(e.getMessage())
              + "; fix it (it holds lines such as 'store: s3://bucket/prefix') or remove it");
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return Optional.empty();
    }
    if (!root.isObject()) {
      throw new InvalidInputException(
          "the config file " + config + " is not a YAML mapping; write it as lines such as 'store: s3://bucket/prefix'");
    }
    return Optional.of(root);
  }

  private String absolute(String location, Path base) {
    String expanded = expandHome(location.trim());
    if (URI_SCHEME.matcher(expanded).matches()) {
      return expanded;
    }
    return base.resolve(expanded).toAbsolutePath().normalize().toString();
  }

  private String expandHome(String location) {
    if (location.equals("~") || location.startsWith("~/")) {
      Path home = home().orElseThrow(() -> new InvalidInputException(
          "'" + location + "' starts with ~ but HOME is not set; give an absolute path"));
      return location.length() == 1 ? home.toString() : home.resolve(location.substring(2)).toString();
    }
    return location;
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
