package dev.ama;

/**
 * The base of every error AMA reports. Messages name the thing, the cause and what to do next,
 * and are fit to show a user as they are.
 */
public class AmaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message the thing, the cause and the next step */
  public AmaException(String message) {
    super(message);
  }

  /** @param message the thing, the cause and the next step */
  public AmaException(String message, Throwable cause) {
    super(message, cause);
  }
}
