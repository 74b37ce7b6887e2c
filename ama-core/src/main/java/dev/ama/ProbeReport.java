package dev.ama;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link AssetClient#probe(ProbeOptions)} found: one {@link Check} per {@link Property}, each
 * with a {@link Verdict}, what was seen and what it means for AMA. The same report is recorded in
 * the store ({@value #KEY}) for other clients to read with {@link AssetClient#lastProbe()}.
 *
 * @param location the store probed
 * @param by who ran the probe
 * @param at when the probe finished, by this machine's clock
 * @param checks one per property, in the order of {@link Property}
 * @param clockSkew the store's modification times minus this machine's clock, if measured
 * @param leftovers probe objects that could not be removed (delete refused), for whoever may
 * @param recorded whether the verdict was written to {@value #KEY} (a client may lack the right)
 */
public record ProbeReport(String location, String by, Instant at, List<Check> checks, Optional<Duration> clockSkew,
    List<String> leftovers, boolean recorded) {

  /** Where the last verdict is recorded, beside {@code ama-store.json}. */
  public static final String KEY = "probe/verdict.json";

  /** A compact, validating constructor. */
  public ProbeReport {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(at, "at");
    checks = List.copyOf(checks);
    Objects.requireNonNull(clockSkew, "clockSkew");
    leftovers = List.copyOf(leftovers);
  }

  /** The properties probed. */
  public enum Property {
    /** Of threads racing one create-only write, exactly one wins and its bytes stay. */
    CREATE_ONLY_THREADS(true),
    /** The same between separate processes, as between machines. */
    CREATE_ONLY_PROCESSES(true),
    /** Listings of keys such as AMA writes (ASCII) come in the order of their bytes. */
    LISTING_ORDER(true),
    /**
     * Listings of keys beyond ASCII come in the order of their UTF-8 bytes, as the SPI requires;
     * AMA's own keys are ASCII (type and alias names, hex digests), so this only informs.
     */
    LISTING_ORDER_UNICODE(false),
    /** A listing shows every object written before it began. */
    LISTING_COMPLETE(true),
    /** An object is readable, with its bytes, right after its write returned. */
    READ_AFTER_WRITE(true),
    /** The store's modification times are within the tolerance of this machine's clock. */
    CLOCK(false),
    /** This client may read the store. */
    READ(false),
    /** This client may write create-only under {@code blobs/}, as uploads do. */
    UPLOAD(false),
    /** This client may write create-only under {@code aliases/}, as alias moves do. */
    ALIAS_MOVES(false),
    /** This client may delete, as gc does. */
    DELETE(false);

    private final boolean required;

    Property(boolean required) {
      this.required = required;
    }

    /**
     * Whether AMA's safety depends on it: a broken required property fails {@link
     * ProbeReport#ok()}; the others (permissions, the clock) say what this client can do.
     */
    public boolean required() {
      return required;
    }
  }

  /** A property's outcome. */
  public enum Verdict {
    /** Holds (or, for a permission, is allowed). */
    OK,
    /** Does not hold (or, for a permission, is refused). */
    BROKEN,
    /** Could not be tried (a read-only backend, no child processes, an earlier failure). */
    UNKNOWN
  }

  /**
   * One property's outcome.
   *
   * @param property what was probed
   * @param verdict the outcome
   * @param detail what was seen, such as "2 winners in round 7 of 20"
   * @param meaning what the outcome means for AMA
   */
  public record Check(Property property, Verdict verdict, String detail, String meaning) {
    /** A validating constructor. */
    public Check {
      Objects.requireNonNull(property, "property");
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(meaning, "meaning");
    }
  }

  /** Whether no property AMA needs is broken. */
  public boolean ok() {
    return checks.stream().noneMatch(c -> c.property().required() && c.verdict() == Verdict.BROKEN);
  }

  /**
   * The check of one property.
   *
   * @throws IllegalArgumentException if the report has none (a report recorded by another release)
   */
  public Check check(Property property) {
    return checks.stream().filter(c -> c.property() == property).findFirst().orElseThrow(
        () -> new IllegalArgumentException("this probe report of " + location + " has no check of " + property));
  }
}
