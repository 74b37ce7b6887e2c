package dev.ama;

/**
 * A local file or folder failed, not the store: a file being uploaded changed, shrank or vanished
 * while it was read, or the download folder or the local cache could not be written (full disk,
 * permissions). Nothing was published or placed under a final name; fix the local side and retry.
 */
public class LocalFileException extends AmaException {
  private static final long serialVersionUID = 1L;

  /** @param message the thing, the cause and the next step */
  public LocalFileException(String message) {
    super(message);
  }

  /** @param message the thing, the cause and the next step */
  public LocalFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
