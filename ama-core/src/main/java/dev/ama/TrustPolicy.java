package dev.ama;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which signatures a client requires before it puts a version's bytes on disk: trusted public
 * keys by name, and rules saying, for asset types and aliases matching a pattern, whether versions
 * must be signed and whether alias moves must be signed, and by which keys. Given to {@link
 * AssetClient.Builder#trust(TrustPolicy)}; {@code load}, {@code watch} and {@code download} then
 * refuse, before writing a byte, a version or alias move that a rule requires to be signed and
 * that no allowed key signed. Every rule that matches applies. Immutable.
 *
 * <p>Read from a folder ({@link #read(Path)}: its {@code *.pub.pem} files are the keys, and its
 * {@code policy.yaml}, {@code policy.yml} or {@code policy.json}, if any, the rules; without one,
 * every version of every type must be signed by one of the keys) or from a policy file (YAML or
 * JSON, keys naming PEM files relative to it). docs/trust.md describes the format.
 */
public final class TrustPolicy {
  private static final TrustPolicy NONE = new TrustPolicy(Map.of(), List.of(), "no trust policy");
  private static final List<String> POLICY_FILES = List.of("policy.yaml", "policy.yml", "policy.json");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());

  private final Map<String, TrustedKey> keysByName;
  private final Map<String, TrustedKey> keysById;
  private final List<Rule> rules;
  private final String origin;

  private TrustPolicy(Map<String, TrustedKey> keys, List<Rule> rules, String origin) {
    this.keysByName = Map.copyOf(keys);
    Map<String, TrustedKey> byId = new LinkedHashMap<>();
    keys.values().forEach(k -> byId.put(k.keyId(), k));
    this.keysById = Map.copyOf(byId);
    this.rules = List.copyOf(rules);
    this.origin = origin;
    for (Rule r : rules) {
      if (keysByName.isEmpty()) {
        throw new InvalidInputException(describe(r) + " requires signatures, but " + origin + " has no key to check them"
            + " with. Add the release key's .pub.pem file (ama key generate writes one)");
      }
      for (String k : r.keys()) {
        if (!k.equals("*") && !keysByName.containsKey(k)) {
          throw new InvalidInputException(describe(r) + " names the key '" + k + "', which " + origin + " does not have;"
              + " its keys: " + (keysByName.isEmpty() ? "none" : String.join(", ", new TreeSet<>(keysByName.keySet())))
              + ". Add the key's .pub.pem file, or name one of these");
        }
      }
    }
  }

  /** No requirement: every version loads as without a policy. The default. */
  public static TrustPolicy none() {
    return NONE;
  }

  /** A policy built in code. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A rule of a policy: for asset types matching {@code types} and aliases matching {@code
   * aliases} (patterns where {@code *} matches any characters), whether a version must carry a
   * valid signature by one of {@code keys}, and whether the alias entry a load resolves must.
   * A version downloaded by digest or by {@code alias@N} is reached through no alias now, so only
   * rules whose {@code aliases} is {@code *} apply to it.
   *
   * @param types pattern of asset types, such as {@code *} or {@code rnn_*}
   * @param aliases pattern of aliases, such as {@code *} or {@code prod}
   * @param signedVersions whether versions must be signed
   * @param signedMoves whether alias moves must be signed
   * @param keys the names of the keys whose signature counts; {@code *} for every key of the policy
   */
  public record Rule(String types, String aliases, boolean signedVersions, boolean signedMoves, Set<String> keys) {
    /** Validates the fields. */
    public Rule {
      Objects.requireNonNull(types, "types");
      Objects.requireNonNull(aliases, "aliases");
      keys = Set.copyOf(new LinkedHashSet<>(keys));
      if (keys.isEmpty()) {
        throw new InvalidInputException("a trust rule for types " + types + " names no key; name at least one, or * for all");
      }
    }

    /** Versions of matching types must be signed by one of the keys. */
    public static Rule signedVersions(String types, String... keys) {
      return new Rule(types, "*", true, false, Set.of(keys));
    }

    /** Moves of matching aliases must be signed by one of the keys. */
    public static Rule signedMoves(String types, String aliases, String... keys) {
      return new Rule(types, aliases, false, true, Set.of(keys));
    }

    boolean applies(String type, Optional<String> alias) {
      return matches(types, type) && (aliases.equals("*") || alias.filter(a -> matches(aliases, a)).isPresent());
    }

    private static boolean matches(String pattern, String name) {
      return Pattern.compile(("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q")).matcher(name).matches();
    }
  }

  /** Builds a policy in code: keys first, then rules naming them. */
  public static final class Builder {
    private final Map<String, TrustedKey> keys = new LinkedHashMap<>();
    private final List<Rule> rules = new ArrayList<>();

    private Builder() {}

    /**
     * Trusts a key under its name.
     *
     * @throws InvalidInputException if another key has that name
     */
    public Builder key(TrustedKey key) {
      TrustedKey before = keys.putIfAbsent(key.name(), key);
      if (before != null && !before.equals(key)) {
        throw new InvalidInputException("two keys are named " + key.name() + " (" + before.keyId() + " and "
            + key.keyId() + "); rename one of the files");
      }
      return this;
    }

    /** Adds a rule; every rule that matches applies. */
    public Builder rule(Rule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /**
     * The policy.
     *
     * @throws InvalidInputException if a rule names a key the policy does not have
     */
    public TrustPolicy build() {
      return new TrustPolicy(keys, rules, "the trust policy");
    }
  }

  /**
   * Reads a policy from a folder of public keys (with an optional policy file) or from a policy file.
   *
   * @throws InvalidInputException if the path does not exist, a key or the policy file is invalid,
   *     or a folder holds no key
   */
  public static TrustPolicy read(Path path) {
    if (Files.isDirectory(path)) {
      Map<String, TrustedKey> keys = new LinkedHashMap<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(path, "*.pub.pem")) {
        List<Path> sorted = new ArrayList<>();
        files.forEach(sorted::add);
        sorted.sort(null);
        for (Path f : sorted) {
          TrustedKey k = TrustedKey.read(f);
          keys.put(k.name(), k);
        }
      } catch (IOException e) {
        throw new InvalidInputException("cannot list the trust folder " + path + ": " + e.getMessage(), e);
      }
      for (String name : POLICY_FILES) {
        if (Files.exists(path.resolve(name))) {
          return readFile(path.resolve(name), keys);
        }
      }
      if (keys.isEmpty()) {
        throw new InvalidInputException("the trust folder " + path + " holds no public key (*.pub.pem) and no policy file ("
            + String.join(", ", POLICY_FILES) + "), so it would trust nobody. Copy the release key's .pub.pem into it"
            + " (ama key generate writes one)");
      }
      return new TrustPolicy(keys, List.of(new Rule("*", "*", true, false, Set.of("*"))), "trust folder " + path);
    }
    if (!Files.exists(path)) {
      throw new InvalidInputException("trust policy " + path + " does not exist; give a folder of public keys (*.pub.pem)"
          + " or a policy file (docs/trust.md)");
    }
    return readFile(path, new LinkedHashMap<>());
  }

  private static TrustPolicy readFile(Path file, Map<String, TrustedKey> keys) {
    String where = "trust policy " + file;
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(where + " is not valid YAML or JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException(where + " is not a mapping with 'keys' and 'rules' (docs/trust.md)");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("keys") && !f.equals("rules")) {
        throw new InvalidInputException(where + " has the unknown field '" + f + "'; a policy has 'keys' and 'rules'"
            + " (docs/trust.md). A misspelled rule must not pass for a policy that checks nothing");
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("keys").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Path pem = file.toAbsolutePath().getParent().resolve(e.getValue().asText());
      keys.put(e.getKey(), TrustedKey.read(e.getKey(), pem));
    }
    List<Rule> rules = new ArrayList<>();
    JsonNode list = root.path("rules");
    if (!list.isArray() || list.isEmpty()) {
      throw new InvalidInputException(where + " has no rules, so it would require nothing; add one, such as"
          + " {types: \"*\", versions: signed, keys: [release]} (docs/trust.md)");
    }
    int n = 0;
    for (JsonNode r : list) {
      n++;
      for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!List.of("types", "aliases", "versions", "moves", "keys").contains(f)) {
          throw new InvalidInputException(where + ", rule " + n + ": unknown field '" + f + "'; a rule has types, aliases,"
              + " versions, moves and keys (docs/trust.md)");
        }
      }
      Set<String> names = new LinkedHashSet<>();
      if (r.path("keys").isArray()) {
        r.path("keys").forEach(k -> names.add(k.asText()));
      } else {
        names.add(r.path("keys").asText("*"));
      }
      rules.add(new Rule(r.path("types").asText("*"), r.path("aliases").asText("*"), signed(r, "versions", where, n),
          signed(r, "moves", where, n), names));
    }
    return new TrustPolicy(keys, rules, where);
  }

  private static boolean signed(JsonNode rule, String field, String where, int n) {
    String v = rule.path(field).asText("any");
    if (!v.equals("signed") && !v.equals("any")) {
      throw new InvalidInputException(where + ", rule " + n + ": '" + field + "' is " + v + "; give signed or any");
    }
    return v.equals("signed");
  }

  /** The trusted keys. */
  public List<TrustedKey> keys() {
    return List.copyOf(keysByName.values());
  }

  /** The rules, in order. */
  public List<Rule> rules() {
    return rules;
  }

  /** Whether this policy requires anything at all. */
  public boolean isNone() {
    return rules.isEmpty();
  }

  /** The trusted key with this id, for naming the signers of a version. */
  public Optional<TrustedKey> keyById(String keyId) {
    return Optional.ofNullable(keysById.get(keyId));
  }

  /** The keys a rule accepts. */
  List<TrustedKey> keysOf(Rule r) {
    return r.keys().contains("*") ? keys() : r.keys().stream().map(keysByName::get).toList();
  }

  /** A rule in the user's words, for refusals: where it comes from and what it requires. */
  String describe(Rule r) {
    int n = rules.indexOf(r) + 1;
    String what = r.signedVersions() && r.signedMoves() ? "versions and alias moves" : r.signedVersions() ? "versions" : "alias moves";
    return "rule " + (n == 0 ? rules.size() + 1 : n) + " of " + origin + " (types " + r.types() + ", aliases " + r.aliases()
        + ": " + what + " signed by " + (r.keys().contains("*") ? "any of its keys" : String.join(" or ", new TreeSet<>(r.keys())))
        + ")";
  }

  @Override
  public String toString() {
    return isNone() ? "no trust policy" : origin + " (" + rules.size() + " rule(s), keys " + new TreeSet<>(keysByName.keySet()) + ")";
  }
}
