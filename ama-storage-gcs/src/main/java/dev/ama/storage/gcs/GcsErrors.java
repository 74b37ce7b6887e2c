package dev.ama.storage.gcs;

import com.google.cloud.storage.StorageException;
import dev.ama.spi.ObjectNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Turns the client library's {@link StorageException}s into {@link IOException}s that name the
 * object, the cause and the fix, so a person reading a CLI error knows what to do next.
 */
final class GcsErrors {
  private static final java.util.Set<String> READS = java.util.Set.of("read", "stat", "delete");
  private final String bucket;
  private final String location;
  private final String endpoint;
  private final int maxAttempts;

  GcsErrors(String bucket, String location, String endpoint, int maxAttempts) {
    this.bucket = bucket;
    this.location = location;
    this.endpoint = endpoint;
    this.maxAttempts = maxAttempts;
  }

  /**
   * @param action what was being done, such as "read" or "create"
   * @param key the store key concerned, or empty for store-wide operations
   * @param objectName the full object name in the bucket, or empty
   */
  IOException translate(StorageException e, String action, String key, String objectName) {
    String what = objectName.isEmpty() ? "gs://" + bucket : "gs://" + bucket + "/" + objectName;
    int code = e.getCode();
    String detail = detail(e);
    if (code == 404) {
      if (mentionsBucket(e)) {
        return new IOException(
            "cannot " + action + " " + what + ": the GCS bucket '" + bucket + "' does not exist (" + detail
                + "). Create it (gcloud storage buckets create gs://" + bucket
                + ") or fix the bucket name in the store location " + location,
            e);
      }
      if (!key.isEmpty() && READS.contains(action)) {
        return new ObjectNotFoundException(location, key);
      }
      // A write answered 404 lost its upload session (expired or cancelled): repeating it helps.
      return new IOException(
          "cannot " + action + " " + what + ": GCS answered 404 (" + detail + "). Retry the operation", e);
    }
    if (code == 401) {
      return new IOException(
          "cannot " + action + " " + what + ": GCS rejected the credentials (" + detail
              + "). Refresh them with 'gcloud auth application-default login', or point "
              + "GOOGLE_APPLICATION_CREDENTIALS or the store option credentialsFile at a valid key file",
          e);
    }
    if (code == 403) {
      return new IOException(
          "cannot " + action + " " + what + ": permission denied (" + detail
              + "). Grant the account roles/storage.objectUser on bucket " + bucket
              + " (roles/storage.objectViewer to read only), or use other credentials",
          e);
    }
    if (isConnectionFailure(e)) {
      return new IOException(
          "cannot " + action + " " + what + ": GCS is unreachable (" + detail + "; endpoint " + endpoint
              + "). Check the network and proxy settings"
              + (endpoint.equals(GcsProperties.DEFAULT_HOST) ? "" : ", and that the server at " + endpoint + " is running"),
          e);
    }
    if (code == 429 || code >= 500) {
      return new IOException(
          "cannot " + action + " " + what + ": GCS kept failing with HTTP " + code + " after up to "
              + maxAttempts + " attempts (" + detail + "). Try again later, or raise the store option "
              + GcsProperties.MAX_ATTEMPTS,
          e);
    }
    return new IOException(
        "cannot " + action + " " + what + ": GCS answered HTTP " + code + " (" + detail + ")", e);
  }

  private static boolean mentionsBucket(StorageException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return m.contains("bucket does not exist") || m.contains("no such bucket");
  }

  private static boolean isConnectionFailure(StorageException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof SocketTimeoutException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return e.getCode() == 0 && e.getCause() instanceof IOException;
  }

  private static String detail(Throwable e) {
    String m = e.getMessage();
    Throwable cause = e.getCause();
    if ((m == null || m.isBlank()) && cause != null) {
      m = cause.toString();
    }
    if (m == null) {
      m = e.getClass().getSimpleName();
    }
    m = m.strip();
    int newline = m.indexOf('\n');
    if (newline > 0) {
      m = m.substring(0, newline);
    }
    return m;
  }
}
