package dev.ama;

import java.util.Objects;
import java.util.Optional;

/**
 * What a caller expects an alias to point at before it moves or removes it: the condition of a
 * compare-and-swap on the alias's log. {@link #any()} moves it whatever it points at; {@link
 * #unset()} only if it points at nothing (never set, or removed); {@link #version(Digest)} only if
 * it still points at that version. The condition is on the version, not the log position: an alias
 * moved away and back again still matches.
 */
public final class AliasExpectation {
  private static final AliasExpectation ANY = new AliasExpectation(false, Optional.empty());
  private static final AliasExpectation UNSET = new AliasExpectation(true, Optional.empty());

  private final boolean checked;
  private final Optional<Digest> version;

  private AliasExpectation(boolean checked, Optional<Digest> version) {
    this.checked = checked;
    this.version = version;
  }

  /** No condition: the alias moves whatever it points at. */
  public static AliasExpectation any() {
    return ANY;
  }

  /** The alias must point at nothing: never set, or removed. */
  public static AliasExpectation unset() {
    return UNSET;
  }

  /** The alias must point at exactly this version now. */
  public static AliasExpectation version(Digest version) {
    return new AliasExpectation(true, Optional.of(Objects.requireNonNull(version, "version")));
  }

  /** Whether an alias pointing at {@code current} (empty: at nothing) meets this expectation. */
  public boolean matches(Optional<Digest> current) {
    return !checked || version.equals(current);
  }

  /** Whether this expectation is {@link #any()}, which every alias meets. */
  public boolean isAny() {
    return !checked;
  }

  /** The version expected, empty for {@link #any()} and {@link #unset()}. */
  public Optional<Digest> version() {
    return version;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AliasExpectation other && checked == other.checked && version.equals(other.version);
  }

  @Override
  public int hashCode() {
    return Objects.hash(checked, version);
  }

  /** {@code any}, {@code unset} or the version's digest, as messages show it. */
  @Override
  public String toString() {
    return !checked ? "any" : version.map(Digest::toString).orElse("unset");
  }
}
