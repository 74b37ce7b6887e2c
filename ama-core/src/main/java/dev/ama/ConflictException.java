package dev.ama;

/** A download would overwrite a file that holds different content; nothing was written. Retry with force to overwrite. */
public class ConflictException extends AmaException {
  private static final long serialVersionUID = 1L;

  /** @param message the thing, the cause and the next step */
  public ConflictException(String message) {
    super(message);
  }

  /** @param message the thing, the cause and the next step */
  public ConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
