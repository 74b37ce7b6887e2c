package dev.ama.spi;

import dev.ama.internal.NearNames;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of one store, read with one set of rules for every backend: how a store URI's query
 * is parsed, how it merges with an options map, which keys are accepted, and how sizes, durations,
 * numbers and switches are written.
 *
 * <p>A backend declares its keys (each a documented public constant, with its default beside it)
 * and reads them:
 *
 * <pre>{@code
 * StorageOptions options = StorageOptions.forStore("S3", "s3://bucket/prefix")
 *     .knownKeys(KNOWN_KEYS)
 *     .parse(optionsMap, uri);                       // the URI's query wins over the map
 * long partSize = options.size(PART_SIZE, 16L << 20, 1, Long.MAX_VALUE);
 * Duration timeout = options.duration(CONNECT_TIMEOUT, Duration.ofSeconds(10));
 * }</pre>
 *
 * <h2>The URI's query</h2>
 *
 * {@link #parseQuery(URI, String)} reads {@code ?key=value&key=value} as RFC 3986 defines a query,
 * also after an opaque URI's name ({@code sqlite:rel.db?journal=wal}, whose {@link URI#getQuery()}
 * is null; see {@link StorageLocation}):
 *
 * <ul>
 *   <li>keys and values are percent-decoded as UTF-8 ({@code %2F} is {@code /}, {@code %20} a
 *       space);
 *   <li>{@code +} is kept as it is: RFC 3986 gives it no meaning in a query (the "{@code +} is a
 *       space" rule belongs to HTML form encoding), so {@code credentialsFile=/keys/a+b.json}
 *       names the file {@code a+b.json}. Write a space as {@code %20};
 *   <li>a value may contain {@code =}; only the first {@code =} of a pair separates key and
 *       value;
 *   <li>empty pairs ({@code ?&a=1}, a trailing {@code &}) are skipped;
 *   <li>refused, with a message naming the store, the key and the fix: a key without {@code
 *       =value} ({@code ?pathStyle}; write {@code pathStyle=true}), an empty key ({@code ?=1}), a
 *       key given twice, a malformed percent escape or one that is not UTF-8. Messages never repeat
 *       a value of the query, which may be a secret.
 * </ul>
 *
 * <h2>Keys</h2>
 *
 * Options come from the URI's query and from an options map (a config file, the Java API); the
 * URI wins where both give a key. Every key must be one the backend declared: an unknown key is
 * refused, naming the nearest known keys and listing all of them, so a misspelt option never falls
 * back to its default silently. A key the backend renamed is refused with its new name and the
 * value written the new way ({@code option chunkSizeBytes was renamed chunkSize; write
 * chunkSize=8MiB}). A key given with an empty value ({@code region=}) means the option's default.
 *
 * <h2>Values</h2>
 *
 * <ul>
 *   <li><b>Sizes</b> ({@link #parseSize}): a whole number of bytes, or a whole number with a unit
 *       {@code B}, {@code K}/{@code KB}/{@code KiB}, {@code M}/{@code MB}/{@code MiB}, {@code
 *       G}/{@code GB}/{@code GiB}, {@code T}/{@code TB}/{@code TiB}, in any case, with or without
 *       a space before it. Every unit is binary: {@code 8MB}, {@code 8MiB}, {@code 8m} and {@code
 *       8388608} are the same size. This is what rclone does and what AMA's S3 options always
 *       did; buffer and part sizes are powers of two, and nobody means 8,000,000 bytes by a part
 *       size of {@code 8MB}.
 *   <li><b>Durations</b> ({@link #parseDuration}): a whole number with a unit {@code ms}, {@code
 *       s}, {@code m} (minutes) or {@code h}, such as {@code 500ms}, {@code 30s}, {@code 2m}, or
 *       an ISO-8601 duration such as {@code PT30S}. A plain number is refused: whether {@code
 *       1000} is milliseconds or seconds is exactly the guess this rule removes.
 *   <li><b>Switches</b> ({@link #bool}): {@code true} or {@code false} (in any case), nothing
 *       else: not {@code yes}, not {@code 1}.
 *   <li><b>Counts</b> ({@link #positiveInt}): a whole number from 1.
 * </ul>
 *
 * <p>Every value is trimmed first. A refused value throws {@link IllegalArgumentException} whose
 * message names the store, the key, the value and a value that would be accepted.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class StorageOptions {

  /** The units {@link #parseSize} accepts, for messages: {@value}. */
  public static final String SIZE_UNITS = "B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T/TB/TiB, all powers of 1024";

  /** The units {@link #parseDuration} accepts, for messages: {@value}. */
  public static final String DURATION_UNITS = "ms, s, m (minutes) or h";

  /** A whole number and a unit, perhaps empty: how sizes and durations are written. */
  private static final Pattern NUMBER_AND_UNIT = Pattern.compile("([0-9]+)\\s*([A-Za-z]*)");
  private static final Pattern ISO_DURATION = Pattern.compile("[+-]?[Pp].*");
  private static final String SIZE_HINT =
      "give a whole number of bytes, or a whole number with a unit (" + SIZE_UNITS + "), such as 8MiB, 64KiB or 1048576";
  private static final String DURATION_HINT =
      "give a whole number with a unit (" + DURATION_UNITS + "), such as 500ms, 30s or 2m, or ISO-8601 such as PT30S";
  private static final String NO_UNIT = "has no unit (a plain number could be milliseconds or seconds)";
  /** The longest {@link Duration}: no limit. */
  private static final Duration LONGEST = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

  private final String backend;
  private final String context;
  private final Set<String> known;
  private final Map<String, String> values;

  private StorageOptions(String backend, String context, Set<String> known, Map<String, String> values) {
    this.backend = backend;
    this.context = context;
    this.known = known;
    this.values = values;
  }

  /**
   * Starts reading the options of one store.
   *
   * @param backend the backend's short name, as users know it: {@code "S3"}, {@code "GCS"}
   * @param location the store as a person reads it, without its query, such as {@code
   *     s3://bucket/prefix}; empty if there is none (options given without a URI). It appears in
   *     every message, so it must not carry credentials
   */
  public static Builder forStore(String backend, String location) {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(location, "location");
    return new Builder(backend, backend + " store" + (location.isEmpty() ? "" : " " + location));
  }

  /**
   * Declares a backend's keys, then parses and merges the options of one store. Builders are not
   * thread-safe; the {@link StorageOptions} they make are.
   */
  public static final class Builder {
    private final String backend;
    private final String context;
    private final Set<String> known = new TreeSet<>();
    private final Map<String, Renamed> renamed = new LinkedHashMap<>();

    private Builder(String backend, String context) {
      this.backend = backend;
      this.context = context;
    }

    /** Adds keys the backend reads. A key that is neither known nor renamed is refused. */
    public Builder knownKeys(Collection<String> keys) {
      for (String key : keys) {
        if (key.isEmpty()) {
          throw new IllegalArgumentException("an option key must not be empty");
        }
        known.add(key);
      }
      return this;
    }

    /** As {@link #knownKeys(Collection)}. */
    public Builder knownKeys(String... keys) {
      return knownKeys(List.of(keys));
    }

    /**
     * Declares that {@code oldKey} is now called {@code newKey} and takes the same value. Giving
     * {@code oldKey} is refused with a message naming {@code newKey} and repeating the value given,
     * so do not rename a key that holds a secret this way.
     */
    public Builder renamedKey(String oldKey, String newKey) {
      return renamedKey(oldKey, newKey, "");
    }

    /**
     * Declares that {@code oldKey}, which took a plain number in {@code oldUnit}, is now called
     * {@code newKey} and takes a value with a unit. Giving {@code oldKey} is refused with a message
     * that writes the given value the new way: {@code chunkSizeBytes=8388608}, renamed with unit
     * {@code "B"}, says {@code write chunkSize=8MiB}; {@code retryInitialDelayMs=1000}, renamed
     * with unit {@code "ms"}, says {@code write retryInitialDelay=1s}.
     *
     * @param oldUnit {@code "B"} for a size that was a number of bytes; {@code "ms"}, {@code "s"},
     *     {@code "m"} or {@code "h"} for a duration; {@code ""} if the value is unchanged
     */
    public Builder renamedKey(String oldKey, String newKey, String oldUnit) {
      if (!oldUnit.isEmpty() && !oldUnit.equals("B")) {
        parseDuration("1" + oldUnit); // checks the unit
      }
      renamed.put(oldKey, new Renamed(newKey, oldUnit));
      return this;
    }

    /**
     * The options of a store: {@code options}, with the options of {@code uri}'s query over them.
     *
     * @throws IllegalArgumentException if the query is malformed or a key is unknown or renamed
     */
    public StorageOptions parse(Map<String, String> options, URI uri) {
      return parse(options, parseQuery(uri, context));
    }

    /**
     * The options of a store: {@code options}, with {@code uriOptions} (from {@link
     * #parseQuery(URI, String)}) over them.
     *
     * @throws IllegalArgumentException if a key is unknown or renamed
     */
    public StorageOptions parse(Map<String, String> options, Map<String, String> uriOptions) {
      Objects.requireNonNull(options, "options");
      Objects.requireNonNull(uriOptions, "uriOptions");
      for (Map.Entry<String, String> e : options.entrySet()) {
        check(e.getKey(), e.getValue(), "options map");
      }
      for (Map.Entry<String, String> e : uriOptions.entrySet()) {
        check(e.getKey(), e.getValue(), "query");
      }
      Map<String, String> merged = new LinkedHashMap<>();
      options.forEach((k, v) -> merged.put(k, Objects.requireNonNull(v, k)));
      merged.putAll(uriOptions);
      return new StorageOptions(backend, context, Set.copyOf(known), Collections.unmodifiableMap(merged));
    }

    private void check(String key, String value, String where) {
      Objects.requireNonNull(key, "option key");
      if (known.contains(key)) {
        return;
      }
      Renamed r = renamed.get(key);
      if (r != null) {
        throw new IllegalArgumentException(
            context + ": option " + key + " was renamed " + r.newKey() + "; write " + r.newKey() + "=" + r.rewrite(value));
      }
      List<String> near = nearest(key, known);
      throw new IllegalArgumentException(
          "unknown " + backend + " option '" + key + "' in the " + where + " of " + context
              + (near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?")
              + " Known " + backend + " options: " + String.join(", ", known));
    }
  }

  private record Renamed(String newKey, String oldUnit) {
    /** How to write {@code oldValue} under the new key. */
    String rewrite(String oldValue) {
      String v = oldValue == null ? "" : oldValue.trim();
      if (oldUnit.isEmpty()) {
        return v.isEmpty() ? "VALUE" : v;
      }
      boolean isSize = oldUnit.equals("B");
      if (v.matches("[0-9]+")) {
        try {
          return isSize ? formatSize(size(v)) : formatDuration(duration(v + oldUnit));
        } catch (Refused tooLarge) {
          // said below, with an example
        }
      }
      return isSize ? "8MiB (a size with a unit: " + SIZE_UNITS + ")" : "30s (a duration with a unit: " + DURATION_UNITS + ")";
    }
  }

  /**
   * Parses a store URI's query into its options, in the order given, by the rules in the class
   * description.
   *
   * @param context names the store in messages, such as {@code "S3 store s3://bucket/prefix"}
   * @return the options, unmodifiable; empty without a query
   * @throws IllegalArgumentException naming the store, the offending key and the fix
   */
  public static Map<String, String> parseQuery(URI uri, String context) {
    Objects.requireNonNull(uri, "uri");
    // An opaque URI (sqlite:rel.db?x=1) has no getRawQuery(); its options must not be lost.
    return parseRawQuery(uri.getScheme() == null ? uri.getRawQuery() : StorageLocation.of(uri).rawQuery(), context);
  }

  /** {@link #parseQuery(URI, String)} of a raw query, null meaning none. */
  static Map<String, String> parseRawQuery(String raw, String context) {
    Objects.requireNonNull(context, "context");
    Map<String, String> result = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return Collections.unmodifiableMap(result);
    }
    for (String pair : raw.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq), context, null);
      if (key.isEmpty()) {
        throw new IllegalArgumentException(
            context + ": the URI's query has a value without a key ('=' at the start of a pair); write key=value, "
                + "such as maxAttempts=3, and separate pairs with '&'");
      }
      if (eq < 0) {
        throw new IllegalArgumentException(
            context + ": option '" + key + "' in the URI's query has no value; write " + key + "=VALUE, such as "
                + key + "=true for a switch (a key alone is not read as true)");
      }
      String value = decode(pair.substring(eq + 1), context, key);
      if (result.containsKey(key)) {
        throw new IllegalArgumentException(
            context + ": option '" + key + "' is given twice in the URI's query; keep one " + key + "=VALUE");
      }
      result.put(key, value);
    }
    return Collections.unmodifiableMap(result);
  }

  /** Strict percent-decoding as UTF-8, {@code +} literal. {@code key} is null while decoding a key. */
  private static String decode(String s, String context, String key) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    String where = key == null ? "an option key in the URI's query" : "the value of option '" + key + "' in the URI's query";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    int i = 0;
    while (i < s.length()) {
      int percent = s.indexOf('%', i);
      int end = percent < 0 ? s.length() : percent;
      bytes.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
      if (percent < 0) {
        break;
      }
      int hi = percent + 1 < s.length() ? Character.digit(s.charAt(percent + 1), 16) : -1;
      int lo = percent + 2 < s.length() ? Character.digit(s.charAt(percent + 2), 16) : -1;
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException(
            context + ": " + where + " has a malformed percent escape; write '%' as %25 and other characters as %XX"
                + " with two hexadecimal digits, such as %20 for a space");
      }
      bytes.write(hi * 16 + lo);
      i = percent + 3;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          context + ": " + where + " has percent escapes that are not UTF-8; encode characters as UTF-8 bytes, such as"
              + " %C3%A9 for \u00e9", e);
    }
  }

  /** Up to three known keys near {@code key}, nearest first, by the rule of {@link NearNames}. */
  static List<String> nearest(String key, Collection<String> known) {
    return NearNames.near(key, known);
  }

  // ---- the value rules ----

  /** A refused value: what is wrong with it, and whether it is a number too large to hold. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean tooLarge;

    Refused(String problem, boolean tooLarge) {
      super(problem, null, false, false);
      this.tooLarge = tooLarge;
    }
  }

  /**
   * Parses a size by the rule in the class description: {@code 8MB}, {@code 8MiB}, {@code 8 m}
   * and {@code 8388608} are all 8,388,608 bytes.
   *
   * @return the number of bytes, 0 or more
   * @throws IllegalArgumentException saying what is wrong and what is accepted; if the size is
   *     well-formed but does not fit in a {@code long}, its cause is an {@link ArithmeticException},
   *     so a caller with a range can report it as out of range
   */
  public static long parseSize(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return size(text);
    } catch (Refused r) {
      throw new IllegalArgumentException(
          "'" + text + "' " + r.getMessage() + "; " + SIZE_HINT, r.tooLarge ? new ArithmeticException("long overflow") : null);
    }
  }

  private static long size(String text) throws Refused {
    Matcher m = NUMBER_AND_UNIT.matcher(text.trim());
    if (!m.matches()) {
      throw new Refused("is not a size", false);
    }
    int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "", "b" -> 0;
      case "k", "kb", "kib" -> 10;
      case "m", "mb", "mib" -> 20;
      case "g", "gb", "gib" -> 30;
      case "t", "tb", "tib" -> 40;
      default -> throw new Refused("has an unknown unit '" + m.group(2) + "'", false);
    };
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new Refused("is too large (the largest size is " + Long.MAX_VALUE + " bytes)", true);
    }
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new Refused("is too large (the largest size is " + Long.MAX_VALUE + " bytes)", true);
    }
    return n << shift;
  }

  /**
   * Parses a duration by the rule in the class description: {@code 500ms}, {@code 30s}, {@code
   * 2m}, {@code 1h} or ISO-8601 such as {@code PT30S}. A plain number is refused.
   *
   * @return the duration, zero or more
   * @throws IllegalArgumentException saying what is wrong and what is accepted; if the duration
   *     is well-formed but too long for a {@link Duration}, its cause is an {@link
   *     ArithmeticException}
   */
  public static Duration parseDuration(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return duration(text);
    } catch (Refused r) {
      String hint = r.getMessage().equals(NO_UNIT) ? "give a unit, such as 500ms or 30s" : DURATION_HINT;
      throw new IllegalArgumentException(
          "'" + text + "' " + r.getMessage() + "; " + hint, r.tooLarge ? new ArithmeticException("duration overflow") : null);
    }
  }

  private static Duration duration(String text) throws Refused {
    String t = text.trim();
    if (ISO_DURATION.matcher(t).matches()) {
      Duration d;
      try {
        d = Duration.parse(t);
      } catch (DateTimeParseException e) {
        throw new Refused("is not a duration", false);
      }
      if (d.isNegative()) {
        throw new Refused("is negative", false);
      }
      return d;
    }
    Matcher m = NUMBER_AND_UNIT.matcher(t);
    if (!m.matches()) {
      throw new Refused("is not a duration", false);
    }
    if (m.group(2).isEmpty()) {
      throw new Refused(NO_UNIT, false);
    }
    try {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> throw new Refused("has an unknown unit '" + m.group(2) + "'", false);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new Refused("is too long", true);
    }
  }

  /**
   * A size in the shortest form {@link #parseSize} reads back exactly: {@code 8MiB} for 8,388,608,
   * {@code 1536KiB}, {@code 1000} for 1,000 bytes.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   */
  public static String formatSize(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("a size is not negative: " + bytes);
    }
    String[] units = {"TiB", "GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      int shift = 40 - 10 * i;
      if (bytes != 0 && bytes % (1L << shift) == 0) {
        return (bytes >> shift) + units[i];
      }
    }
    return Long.toString(bytes);
  }

  /**
   * A duration in the shortest form {@link #parseDuration} reads back exactly: {@code 30s},
   * {@code 2m}, {@code 1500ms}; ISO-8601 for a duration with a fraction of a millisecond.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public static String formatDuration(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a duration is not negative: " + duration);
    }
    if (duration.getNano() % 1_000_000 != 0 || duration.getSeconds() > Long.MAX_VALUE / 1000 - 1) {
      return duration.toString();
    }
    long ms = duration.toMillis();
    if (ms == 0) {
      return "0s";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  // ---- reading options ----

  /** {@code "S3 store s3://bucket/prefix"}: how messages name the store. */
  public String context() {
    return context;
  }

  /** All options given, the URI's over the map's, in the order given; unmodifiable. */
  public Map<String, String> asMap() {
    return values;
  }

  /** Whether {@code key} is given with a non-empty value. */
  public boolean isSet(String key) {
    return raw(key).isPresent();
  }

  /** A text option, trimmed; empty if it is not given or empty. */
  public Optional<String> string(String key) {
    return raw(key);
  }

  /** A text option, trimmed, or {@code fallback}. */
  public String string(String key, String fallback) {
    return raw(key).orElse(fallback);
  }

  /**
   * A switch: {@code true} or {@code false} (in any case), else {@code fallback}.
   *
   * @throws IllegalArgumentException for any other value, such as {@code yes} or {@code 1}
   */
  public boolean bool(String key, boolean fallback) {
    Optional<String> v = raw(key);
    if (v.isEmpty()) {
      return fallback;
    }
    return switch (v.get().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(key, "is not a boolean; write " + key + "=true or " + key + "=false");
    };
  }

  /**
   * A whole number from 1, else {@code fallback}.
   *
   * @throws IllegalArgumentException for anything else, suggesting {@code fallback}
   */
  public int positiveInt(String key, int fallback) {
    return positiveInt(key, fallback, Integer.MAX_VALUE);
  }

  /**
   * A whole number from 1 to {@code max}, else {@code fallback}.
   *
   * @throws IllegalArgumentException for anything else, suggesting {@code fallback}
   */
  public int positiveInt(String key, int fallback, int max) {
    Optional<String> v = raw(key);
    if (v.isEmpty()) {
      return fallback;
    }
    String example = "; write for example " + key + "=" + fallback;
    String text = v.get();
    if (!text.matches("[0-9]+")) {
      throw invalid(key, "is not a positive whole number" + example);
    }
    long n = text.length() > 18 ? Long.MAX_VALUE : Long.parseLong(text);
    if (n < 1) {
      throw invalid(key, "is not a positive whole number" + example);
    }
    if (n > max) {
      throw invalid(key, "is more than " + max + ", the most allowed" + example);
    }
    return (int) n;
  }

  /**
   * A size by {@link #parseSize}, zero or more, else {@code fallback}.
   *
   * @throws IllegalArgumentException if it is not a size, suggesting {@code fallback}
   */
  public long size(String key, long fallback) {
    return size(key, fallback, 0, Long.MAX_VALUE);
  }

  /**
   * A size by {@link #parseSize} from {@code min} to {@code max} bytes, else {@code fallback}.
   *
   * @param max the largest accepted; {@link Long#MAX_VALUE} for no limit
   * @throws IllegalArgumentException if it is not a size or out of range, suggesting {@code
   *     fallback}
   */
  public long size(String key, long fallback, long min, long max) {
    return typed(key, fallback, min, max, Long.MAX_VALUE, StorageOptions::size, StorageOptions::formatSize, "size",
        SIZE_UNITS);
  }

  /**
   * A duration by {@link #parseDuration}, else {@code fallback}.
   *
   * @throws IllegalArgumentException if it is not a duration, suggesting {@code fallback}
   */
  public Duration duration(String key, Duration fallback) {
    return duration(key, fallback, Duration.ZERO, LONGEST);
  }

  /**
   * A duration by {@link #parseDuration} from {@code min} to {@code max}, else {@code fallback}.
   *
   * @throws IllegalArgumentException if it is not a duration or out of range, suggesting {@code
   *     fallback}
   */
  public Duration duration(String key, Duration fallback, Duration min, Duration max) {
    return typed(key, fallback, min, max, LONGEST, StorageOptions::duration, StorageOptions::formatDuration, "duration",
        DURATION_UNITS + "; or ISO-8601 such as PT30S");
  }

  /** Reads a value by one of the rules, or refuses it. */
  private interface Rule<T> {
    T read(String text) throws Refused;
  }

  /** An option read by {@code rule} and checked against {@code min} and {@code max}. */
  private <T extends Comparable<? super T>> T typed(String key, T fallback, T min, T max, T unlimited, Rule<T> rule,
      Function<T, String> format, String kind, String units) {
    Optional<String> v = raw(key);
    if (v.isEmpty()) {
      return fallback;
    }
    String example = "; write for example " + key + "=" + format.apply(fallback);
    boolean limited = !max.equals(unlimited);
    String outOfRange = "is out of range: give a " + kind + " "
        + (limited ? "from " + format.apply(min) + " to " + format.apply(max) : "of at least " + format.apply(min)) + example;
    T value;
    try {
      value = rule.read(v.get());
    } catch (Refused r) {
      // A well-formed value too large to hold is beyond a limit, so it is out of range.
      throw invalid(key, r.tooLarge && limited ? outOfRange : r.getMessage() + example + " (a unit: " + units + ")");
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw invalid(key, outOfRange);
    }
    return value;
  }

  /**
   * An exception for a value the backend refuses by a rule of its own, worded like this class's:
   * {@code S3 store s3://b/p: option partSize='1MiB' is below S3's minimum part size of 5 MiB;
   * write partSize=5MiB or more}.
   *
   * @param problem what is wrong and the fix, read after the option and its value
   */
  public IllegalArgumentException invalid(String key, String problem) {
    return new IllegalArgumentException(context + ": option " + key + "='" + values.getOrDefault(key, "") + "' " + problem);
  }

  private Optional<String> raw(String key) {
    if (!known.contains(key)) {
      throw new IllegalStateException(backend + " option '" + key + "' is read but was not declared with knownKeys");
    }
    String v = values.get(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  @Override
  public String toString() {
    return "StorageOptions[" + context + ", keys " + values.keySet() + "]";
  }
}
