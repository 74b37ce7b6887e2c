package dev.ama;

/** The caller asked for something that cannot be done as asked: an invalid name, an unsafe path, nothing to upload, an ambiguous alias. */
public class InvalidInputException extends AmaException {
  private static final long serialVersionUID = 1L;

  /** @param message the thing, the cause and the next step */
  public InvalidInputException(String message) {
    super(message);
  }

  /** @param message the thing, the cause and the next step */
  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
