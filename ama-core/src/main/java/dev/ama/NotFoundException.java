package dev.ama;

/** An asset type, alias, version or file does not exist. Messages list near names where there are some. */
public class NotFoundException extends AmaException {
  private static final long serialVersionUID = 1L;

  /** @param message the thing, the cause and the next step */
  public NotFoundException(String message) {
    super(message);
  }

  /** @param message the thing, the cause and the next step */
  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
