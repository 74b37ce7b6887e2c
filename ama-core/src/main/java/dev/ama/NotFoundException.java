package dev.ama;

import dev.ama.internal.NearNames;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * An asset type, alias, version or file does not exist. Where there are names close to the one
 * asked for, the message suggests them and {@link #nearNames()} lists them, so a program can offer
 * them without parsing the message.
 */
public class NotFoundException extends AmaException {
  private static final long serialVersionUID = 1L;

  private final List<String> nearNames;

  /** @param message the thing, the cause and the next step */
  public NotFoundException(String message) {
    this(message, List.of());
  }

  /** @param message the thing, the cause and the next step */
  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
    this.nearNames = List.of();
  }

  /**
   * @param message the thing, the cause and the next step, already naming the near names
   * @param nearNames the existing names closest to the one not found, nearest first
   */
  public NotFoundException(String message, List<String> nearNames) {
    super(message);
    this.nearNames = List.copyOf(nearNames);
  }

  /**
   * A not-found error that suggests the candidates closest to the wanted name: a small edit
   * distance, one name inside the other, or the same letters in another case; at most three.
   *
   * @param wanted the name that was not found
   * @param candidates the names that exist
   * @param message builds the message from the hint {@code ". Did you mean 'a' or 'b'?"}, which is
   *     empty when no candidate is near
   */
  public static NotFoundException suggesting(
      String wanted, Collection<String> candidates, Function<String, String> message) {
    List<String> near = NearNames.near(wanted, candidates);
    return new NotFoundException(message.apply(NearNames.didYouMean(near)), near);
  }

  /** The existing names closest to the one not found, nearest first; empty if none is near. */
  public List<String> nearNames() {
    return nearNames;
  }
}
