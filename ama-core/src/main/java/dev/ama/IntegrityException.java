package dev.ama;

/** Bytes read from a store or cache do not match their digest, or a manifest is malformed. Nothing is left under the final name when this is thrown. */
public class IntegrityException extends AmaException {
  private static final long serialVersionUID = 1L;

  /** @param message the thing, the cause and the next step */
  public IntegrityException(String message) {
    super(message);
  }

  /** @param message the thing, the cause and the next step */
  public IntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
