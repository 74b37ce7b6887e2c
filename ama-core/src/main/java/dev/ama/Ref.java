package dev.ama;

import java.util.Objects;
import java.util.Optional;

/**
 * A lineage edge from an asset version to a version it was made from, pinned to that version's
 * digest when the referring version was uploaded. Moving the alias later does not change the ref.
 *
 * @param type the referenced asset type
 * @param alias the alias the ref was resolved from, kept for display; empty for refs made by
 *     digest
 * @param version the pinned version
 */
public record Ref(String type, Optional<String> alias, Digest version) {
  /** Validates the fields. */
  public Ref {
    Names.checkType(type);
    Objects.requireNonNull(alias, "alias").ifPresent(Names::checkAlias);
    Objects.requireNonNull(version, "version");
  }

  /** {@code type/alias@shortdigest}, or {@code type@shortdigest} without an alias. */
  @Override
  public String toString() {
    return type + alias.map(a -> "/" + a).orElse("") + "@" + version.shortHex();
  }
}
