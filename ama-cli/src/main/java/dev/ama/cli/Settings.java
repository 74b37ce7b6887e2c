package dev.ama.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ama.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the store, the user and the cache come from, first match wins:
 *
 * <ul>
 *   <li>store: {@code --store}, {@code AMA_STORE}, {@code store:} in {@code ~/.ama/config.yml},
 *       {@code ~/.ama/store}
 *   <li>user: {@code --user}, {@code AMA_USER}, the operating system user
 *   <li>cache: {@code AMA_CACHE}, {@code ~/.cache/ama}
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
  static final String ENV_HOME = "HOME";
  /** Set by {@link AmaCli#main} from the JVM; the operating system user. */
  static final String ENV_OS_USER = "USER";

  private static final Pattern URI_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:.*", Pattern.DOTALL);

  /** A setting's value and where it came from, for {@code ama status}. */
  record Value(String value, String origin) {}

  private final Path workDir;
  private final Map<String, String> env;

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

  /** Who uploads, if known; the core decides when it is not. */
  Optional<String> user(Optional<String> flag) {
    if (flag.isPresent() && !flag.get().isBlank()) {
      return flag;
    }
    return nonBlank(env.get(ENV_USER)).or(() -> nonBlank(env.get(ENV_OS_USER)));
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

  private Optional<String> readConfigStore(Path config) {
    if (!Files.isRegularFile(config)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(config.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read the config file " + config + ": " + firstLine(e.getMessage())
              + "; fix it (it holds one line such as 'store: s3://bucket/prefix') or remove it");
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return Optional.empty();
    }
    if (!root.isObject()) {
      throw new InvalidInputException(
          "the config file " + config + " is not a YAML mapping; write it as 'store: s3://bucket/prefix'");
    }
    JsonNode store = root.get("store");
    if (store == null || store.isNull()) {
      return Optional.empty();
    }
    if (!store.isValueNode() || store.asText().isBlank()) {
      throw new InvalidInputException(
          "'store' in the config file " + config + " must be a path or URI such as s3://bucket/prefix");
    }
    return Optional.of(store.asText().trim());
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
