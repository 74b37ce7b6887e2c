package dev.ama;

/**
 * A version or alias move that the client's {@link TrustPolicy} requires to be signed carries no
 * valid signature by an allowed key. Thrown before anything is written; the message names the
 * version, the rule it failed and the fix. An {@link IntegrityException}, so scripts see exit code 6.
 */
public class UntrustedException extends IntegrityException {
  private static final long serialVersionUID = 1L;

  /** @param message the version, the rule it failed and the fix */
  public UntrustedException(String message) {
    super(message);
  }
}
