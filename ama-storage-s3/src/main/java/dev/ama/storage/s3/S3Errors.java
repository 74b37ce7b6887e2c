package dev.ama.storage.s3;

import dev.ama.spi.StorageCredentialsException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns the SDK's exceptions into IOExceptions whose message names the bucket and key, the cause
 * and the fix. The SDK's exception stays attached as the cause.
 */
final class S3Errors {
  static final String NO_SUCH_BUCKET = "NoSuchBucket";
  static final String NO_SUCH_KEY = "NoSuchKey";

  private final S3StorageProperties properties;

  S3Errors(S3StorageProperties properties) {
    this.properties = properties;
  }

  /** The service's error code, or empty when the response had no body (HEAD requests). */
  static String code(SdkException e) {
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      String code = service.awsErrorDetails().errorCode();
      return code == null ? "" : code;
    }
    return "";
  }

  /** How messages name an object: {@code s3://bucket/key}. */
  String target(String s3Key) {
    return "s3://" + properties.bucket() + "/" + s3Key;
  }

  IOException translate(String operation, String s3Key, SdkException e) {
    String target = target(s3Key);
    String where = properties.endpointDescription();
    if (e instanceof AwsServiceException service) {
      int status = service.statusCode();
      String code = code(e);
      String detail = " (" + (code.isEmpty() ? "" : code + ", ") + "HTTP " + status + requestId(service) + ")";
      switch (code) {
        case NO_SUCH_BUCKET:
          return noSuchBucket(operation, s3Key, e);
        case "InvalidAccessKeyId":
          return new IOException(
              "S3 at " + where + " does not know the access key id used to " + operation + " " + target + detail
                  + ". Set " + credentialSettings() + " to credentials of the account that owns bucket '"
                  + properties.bucket() + "'", e);
        case "SignatureDoesNotMatch":
          return new IOException(
              "S3 at " + where + " rejected the request signature to " + operation + " " + target + detail
                  + ": the secret access key does not match the access key id. Check "
                  + (properties.accessKeyId().isPresent()
                      ? "the '" + S3StorageProperties.SECRET_ACCESS_KEY + "' option"
                      : "AWS_SECRET_ACCESS_KEY (or the profile's aws_secret_access_key)"), e);
        case "ExpiredToken", "TokenRefreshRequired", "InvalidToken":
          return new IOException(
              "the AWS session credentials used to " + operation + " " + target + " have expired or are invalid"
                  + detail + ". Refresh them (for example 'aws sso login', or new AWS_SESSION_TOKEN values)", e);
        case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
          return new IOException(
              "bucket '" + properties.bucket() + "' is not in the region the request was sent to (" + where
                  + ") while trying to " + operation + " " + target + detail + ". Set the bucket's region with the '"
                  + S3StorageProperties.REGION + "' option (s3://" + properties.bucket() + "/...?region=...) or AWS_REGION", e);
        default:
          break;
      }
      if (status == 403) {
        return new IOException(
            "S3 denied permission to " + operation + " " + target + detail + ". The credentials in use lack "
                + action(operation) + " on arn:aws:s3:::" + properties.bucket() + "/" + prefixPattern()
                + "; grant it to the identity (see docs/s3.md for per-prefix policies), or use credentials that"
                + " have it. If the credentials themselves may be wrong, check AWS_ACCESS_KEY_ID,"
                + " AWS_SECRET_ACCESS_KEY and AWS_PROFILE", e);
      }
      if (status == 301 || status == 307) {
        return new IOException(
            "S3 redirected the request to " + operation + " " + target + detail + ": bucket '" + properties.bucket()
                + "' lives in another region than " + where + ". Set the '" + S3StorageProperties.REGION
                + "' option or AWS_REGION to the bucket's region", e);
      }
      return new IOException(
          "S3 at " + where + " failed to " + operation + " " + target + detail + ": " + firstLine(service.getMessage())
              + (status >= 500 || status == 429 || status == 503
                  ? ". It was retried " + (properties.maxAttempts() - 1) + " time(s); try again later or raise '"
                      + S3StorageProperties.MAX_ATTEMPTS + "'"
                  : ""),
          e);
    }
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    if (message.contains("Unable to load credentials")) {
      // The SDK's message lists every provider it tried, some 1,800 characters: kept in the cause.
      return new StorageCredentialsException(
          "no AWS credentials found to " + operation + " " + target + ". Set AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or option '" + S3StorageProperties.PROFILE + "'); "
              + S3StorageProperties.ANONYMOUS + "=true for a public bucket", e);
    }
    if (message.contains("Unable to load region")) {
      return new IOException(
          "no AWS region configured to " + operation + " " + target + ". Set AWS_REGION or the '"
              + S3StorageProperties.REGION + "' option", e);
    }
    Throwable network = networkCause(e);
    if (network != null) {
      return new IOException(
          "cannot reach S3 at " + where + " to " + operation + " " + target + ": " + network
              + ". Check that the endpoint is right (option '" + S3StorageProperties.ENDPOINT
              + "', AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL), that the server is running and the network"
              + " reaches it; the request was retried " + (properties.maxAttempts() - 1) + " time(s)", e);
    }
    Throwable broken = brokenConnection(e);
    if (broken != null) {
      return connectionBroke(operation, s3Key, broken, e);
    }
    return new IOException("S3 client failed to " + operation + " " + target + " at " + where + ": " + firstLine(message), e);
  }

  /**
   * A connection that was reached but broke mid-request or mid-response: reset, closed early, a
   * timeout while the server was silent, a response cut short. Every attempt failed so.
   */
  IOException connectionBroke(String operation, String s3Key, Throwable broken, Exception e) {
    return new IOException(
        "the connection to S3 at " + properties.endpointDescription() + " broke while trying to " + operation + " "
            + target(s3Key) + ": " + broken + ". It was tried " + properties.maxAttempts()
            + " time(s); the network or a proxy between here and S3 is dropping or stalling connections. Retry when"
            + " it is stable, or raise '" + S3StorageProperties.MAX_ATTEMPTS + "' or '"
            + S3StorageProperties.SOCKET_TIMEOUT + "' (now " + properties.socketTimeout().toMillis() + "ms)", e);
  }

  /**
   * The transport failure under an SDK exception: any I/O error (a reset, an early close, a read
   * timeout) or a malformed response, which is what a response cut inside its head looks like.
   */
  static Throwable brokenConnection(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException || t.getClass().getName().startsWith("org.apache.hc.core5.http.")) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  IOException noSuchBucket(String operation, String s3Key, SdkException e) {
    return new IOException(
        "S3 bucket '" + properties.bucket() + "' does not exist at " + properties.endpointDescription()
            + " (NoSuchBucket, while trying to " + operation + " s3://" + properties.bucket() + "/" + s3Key
            + "). Create the bucket, or fix the bucket name in the store location " + properties.location(),
        e);
  }

  /** Where the credentials in use were configured, so the message points at the right place. */
  private String credentialSettings() {
    if (properties.accessKeyId().isPresent()) {
      return "the '" + S3StorageProperties.ACCESS_KEY_ID + "' and '" + S3StorageProperties.SECRET_ACCESS_KEY + "' options";
    }
    if (properties.profile().isPresent()) {
      return "profile '" + properties.profile().get() + "' (option '" + S3StorageProperties.PROFILE + "')";
    }
    return "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or the '" + S3StorageProperties.PROFILE + "' option)";
  }

  private String prefixPattern() {
    return properties.prefix().isEmpty() ? "*" : properties.prefix() + "/*";
  }

  private static String action(String operation) {
    String op = operation.toLowerCase(Locale.ROOT);
    if (op.startsWith("list")) {
      return "s3:ListBucket";
    }
    if (op.startsWith("put")) {
      return "s3:PutObject";
    }
    if (op.startsWith("delete")) {
      return "s3:DeleteObject";
    }
    return "s3:GetObject";
  }

  private static String requestId(AwsServiceException e) {
    String id = e.requestId();
    return id == null || id.isEmpty() ? "" : ", request id " + id;
  }

  private static Throwable networkCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          // A read timeout means the server was reached and then went silent: a broken connection.
          || (t instanceof SocketTimeoutException && String.valueOf(t.getMessage()).equalsIgnoreCase("connect timed out"))
          || t.getClass().getSimpleName().equals("ConnectTimeoutException")) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
