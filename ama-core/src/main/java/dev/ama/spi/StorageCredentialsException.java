package dev.ama.spi;

import java.io.IOException;

/**
 * The backend found no credentials to send, or none it could use, so no request reached the
 * storage. Its message is written for a person, short, and says first how to provide credentials;
 * what the cloud SDK tried (often a long list of providers) stays in the cause. The core reports
 * the message as it is, rather than as an unreachable store to retry.
 */
public class StorageCredentialsException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what is missing and how to provide it, such as "no AWS credentials found to
   *     read s3://bucket/key. Set AWS_ACCESS_KEY_ID and ..."
   * @param cause the SDK's error, with the details
   */
  public StorageCredentialsException(String message, Throwable cause) {
    super(message, cause);
  }
}
