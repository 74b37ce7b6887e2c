package dev.ama;

/** The store could not be reached or refused a request. When it is thrown during an upload, the store is consistent and the upload can be retried. */
public class StoreException extends AmaException {
  private static final long serialVersionUID = 1L;

  /** @param message the thing, the cause and the next step */
  public StoreException(String message) {
    super(message);
  }

  /** @param message the thing, the cause and the next step */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
