package dev.ama.storage.gcs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.auth.oauth2.GoogleCredentials;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.Storages;
import dev.ama.storage.tck.StorageContract;
import dev.ama.storage.tck.StorageFixture;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The storage contract on real Google Cloud Storage: runs when {@value #BUCKET_ENV} names a bucket
 * the current credentials may write to, and is skipped otherwise. Each test works under its own
 * prefix {@code $AMA_GCS_TEST_PREFIX/<test id>} (default prefix {@value #DEFAULT_PREFIX}) and
 * deletes what it wrote. See docs/gcs.md.
 *
 * <pre>
 * gcloud auth application-default login
 * AMA_GCS_TEST_BUCKET=my-bucket mvn -B -pl ama-storage-gcs -am verify -Dtest=RealGcsStorageContractTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class RealGcsStorageContractTest extends StorageContract {
  static final String BUCKET_ENV = "AMA_GCS_TEST_BUCKET";
  static final String PREFIX_ENV = "AMA_GCS_TEST_PREFIX";
  static final String DEFAULT_PREFIX = "ama-tck";
  /** Optional: a key file to use instead of Application Default Credentials. */
  static final String CREDENTIALS_ENV = "AMA_GCS_TEST_CREDENTIALS_FILE";

  private static String bucket;
  private static String prefix;

  /** Skips (JUnit assumption, so every test shows as skipped with this reason) unless configured. */
  private static void requireBucketAndCredentials() {
    bucket = System.getenv(BUCKET_ENV);
    if (bucket == null || bucket.isBlank()) {
      skip("set " + BUCKET_ENV + " to a bucket you may write to (and provide credentials, e.g. gcloud auth"
          + " application-default login) to run it; see docs/gcs.md");
    }
    String explicitKey = System.getenv(CREDENTIALS_ENV);
    // An emulator (STORAGE_EMULATOR_HOST) needs no credentials; that also lets this binding be tried locally.
    if (explicitKey == null && System.getenv(GcsProperties.EMULATOR_HOST_ENV) == null) {
      try {
        GoogleCredentials.getApplicationDefault();
      } catch (IOException e) {
        skip(BUCKET_ENV + " is set but no Application Default"
            + " Credentials were found (" + e.getMessage().lines().findFirst().orElse("") + "). Run"
            + " 'gcloud auth application-default login' or set GOOGLE_APPLICATION_CREDENTIALS");
      }
    }
    String p = System.getenv(PREFIX_ENV);
    prefix = p == null || p.isBlank() ? DEFAULT_PREFIX : p.replaceAll("^/+|/+$", "");
  }

  private static boolean told;

  private static synchronized void skip(String why) {
    if (!told) {
      told = true;
      // Surefire does not print assumption messages; say once in the build log why nothing ran.
      System.err.println("RealGcsStorageContractTest: skipping the contract suite on real GCS: " + why);
    }
    assumeTrue(false, "skipping the contract suite on real GCS: " + why);
  }

  private static Map<String, String> options() {
    String key = System.getenv(CREDENTIALS_ENV);
    return key == null ? Map.of() : Map.of(GcsProperties.CREDENTIALS_FILE, key);
  }

  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    requireBucketAndCredentials();
    String location = "gs://" + bucket + "/" + prefix + "/" + testId;
    return StorageFixture.builder(Storages.open(location, options()))
        .expectType(GcsStorage.class)
        .expectLocationPrefix(location)
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
        .openedAs(location, options())
        .raceRounds(10)
        .onClose(() -> deleteAll(location))
        .build();
  }

  private static void deleteAll(String location) throws IOException {
    try (Storage s = Storages.open(location, options())) {
      List<String> keys;
      try (Stream<ObjectInfo> listing = s.list("")) {
        keys = listing.map(ObjectInfo::key).toList();
      }
      for (String key : keys) {
        s.delete(key);
      }
    }
  }
}
