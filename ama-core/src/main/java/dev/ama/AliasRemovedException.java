package dev.ama;

import java.util.Objects;

/**
 * An alias was asked for that was removed: its log ends with a removal, so it points at no version.
 * A program can read who removed it and when from {@link #removal()}, and set it again (which
 * continues the same log) with {@link AssetClient#setAlias}.
 */
public class AliasRemovedException extends NotFoundException {
  private static final long serialVersionUID = 1L;

  private final AliasEntry removal;

  /**
   * @param message the thing, the cause and the next step
   * @param removal the removal entry that ends the alias's log
   */
  public AliasRemovedException(String message, AliasEntry removal) {
    super(message);
    if (!Objects.requireNonNull(removal, "removal").removed()) {
      throw new IllegalArgumentException("entry " + removal.seq() + " of " + removal.type() + "/" + removal.alias()
          + " is a move, not a removal");
    }
    this.removal = removal;
  }

  /** The entry that removed the alias: who, when, which version it pointed at until then. */
  public AliasEntry removal() {
    return removal;
  }
}
