package dev.ama.storage.s3;

import dev.ama.spi.StorageCapability;
import dev.ama.spi.Storages;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import dev.ama.storage.s3.testing.S3ProxyServer;
import dev.ama.storage.tck.StorageContract;
import dev.ama.storage.tck.StorageFixture;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The storage contract on {@link S3Storage} against a real S3 server (S3Proxy over HTTP), each
 * test on its own prefix of one bucket, opened the way users do: an {@code s3://} URI through
 * {@link Storages#open}.
 *
 * <p>Five contract tests are skipped because S3Proxy, not S3Storage, departs from S3 there (see
 * {@link S3ProxyDeviations}); S3StorageTest covers what of them S3Proxy can show.
 */
@ExtendWith({S3ProxyExtension.class, S3StorageContractTest.S3ProxyDeviations.class})
class S3StorageContractTest extends StorageContract {
  private static S3ProxyServer server;
  private static String bucket;

  @BeforeAll
  static void createBucket(S3ProxyServer s3) {
    server = s3;
    bucket = s3.createBucket();
  }

  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    return fixture(server, bucket, "tck/" + testId);
  }

  /** An {@code s3://} store on a prefix of the bucket, opened as users do, deleted when closed. */
  static StorageFixture fixture(S3ProxyServer server, String bucket, String prefix) throws Exception {
    String location = server.storeUri(bucket, prefix);
    return StorageFixture.builder(Storages.open(location, server.credentials()))
        .expectType(S3Storage.class)
        .expectLocationPrefix("s3://" + bucket + "/" + prefix)
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
        .openedAs(location, server.credentials())
        .onClose(() -> server.deletePrefix(bucket, prefix + "/"))
        .build();
  }

  /**
   * Skips the contract tests that S3Proxy 4.1.0 itself fails, whatever the client does; AWS S3
   * behaves as the contract says in each case.
   */
  static final class S3ProxyDeviations implements ExecutionCondition {
    private static final String UTF16 =
        "S3Proxy lists keys in UTF-16 order (U+1F600 before U+FF5A); S3 lists in UTF-8 byte order";
    private static final String TEMP_FILES =
        "S3Proxy lists the temporary file (key-<uuid>) of a PUT in progress; S3 never lists an incomplete upload";
    private static final Map<String, String> SKIPPED = Map.of(
        "listingFollowsUtf8ByteOrderNotUtf16Order", UTF16,
        "keysWithSpacesAndNonAsciiLettersRoundTrip", UTF16
            + " (S3StorageTest.keysWithSpacesAndNonAsciiLettersRoundTrip checks the round trip)",
        "objectIsInvisibleUntilItsWriteCompletes", TEMP_FILES
            + " (S3StorageTest.objectIsInvisibleToStatAndOpenUntilItsWriteCompletes checks the rest)",
        "abortedPutLeavesThePreviousObject", TEMP_FILES + ", and an aborted one's until it notices the abort"
            + " (S3StorageTest.abortedPutLeavesThePreviousObject checks the rest)",
        "putOfContentShorterOrLongerThanDeclaredLeavesThePreviousObject", TEMP_FILES + ", and an aborted one's until it"
            + " notices the abort (S3StorageTest.aPutOfContentShorterOrLongerThanDeclaredLeavesThePreviousObject checks"
            + " the rest)");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String method = context.getTestMethod().map(m -> m.getName()).orElse("");
      String reason = SKIPPED.get(method);
      return reason == null
          ? ConditionEvaluationResult.enabled("S3Proxy behaves as S3 here")
          : ConditionEvaluationResult.disabled(reason);
    }
  }
}
