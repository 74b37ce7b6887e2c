package dev.ama.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AmaException;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.spi.Storage;
import dev.ama.storage.s3.testing.FaultProxy.Fault;
import dev.ama.storage.s3.testing.FaultProxy.Plan;
import dev.ama.storage.s3.testing.FaultProxy.Request;
import dev.ama.storage.s3.testing.S3ProxyExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One fault at a time, aimed at one request of an upload or a download through {@link
 * AssetClient}: a transient fault is ridden out, a permanent one ends in a clear failure within
 * the configured attempts, and no fault makes wrong bytes look right. Seeded storms of mixed
 * faults are {@link S3FaultTrialsTest}'s.
 */
@ExtendWith({S3ProxyExtension.class, FaultyS3.Resolver.class})
class S3NetworkFaultsTest {
  private static final String TYPE = "rnn_models";
  private static final String ALIAS = "my_model";
  /** Each attempt ends within a stall or a timeout; the backoff between them stays below 30s in all. */
  private static final Duration PERMANENT_FAULT_BOUND = Duration.ofSeconds(45);

  private static FaultyS3 s3;
  @TempDir Path tmp;
  private String prefix;

  @BeforeAll
  static void faultyS3(FaultyS3 faulty) {
    s3 = faulty;
  }

  @BeforeEach
  void fresh(TestInfo test) {
    prefix = "faults/" + test.getTestMethod().orElseThrow().getName() + "-" + test.getDisplayName().replaceAll("\\W", "");
    s3.proxy.plan(Plan.none());
    s3.proxy.resetCounters();
  }

  private static Predicate<Request> put(String keyPart) {
    return r -> r.method().equals("PUT") && r.path().contains(keyPart);
  }

  private static Predicate<Request> get(String keyPart) {
    return r -> r.method().equals("GET") && r.path().contains(keyPart);
  }

  private AssetVersion upload(Storage storage, Map<String, byte[]> files, Path src, String cache) {
    AssetClient client = s3.client(storage, tmp.resolve(cache), "alice");
    var upload = client.newAsset(TYPE).alias(ALIAS);
    files.keySet().forEach(name -> upload.add(name, src.resolve(name)));
    return upload.upload();
  }

  /** The files of a version uploaded straight to S3Proxy, for tests of reads through faults. */
  private Map<String, byte[]> uploadedWithoutFaults(long seed, int size) throws Exception {
    Path src = tmp.resolve("src");
    Map<String, byte[]> files = FaultyS3.writeFiles(src, seed, size);
    upload(s3.direct(prefix), files, src, "cache");
    return files;
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void oneFaultOnEachMultipartPartIsRetriedAndTheUploadIsExact(Fault fault) throws Exception {
    Path src = tmp.resolve("src");
    Map<String, byte[]> files = FaultyS3.writeFiles(src, 1, 6 << 20);
    s3.proxy.plan(Plan.first(2, r -> r.target().contains("partNumber="), fault));
    AssetVersion v = upload(s3.faulty(prefix), files, src, "cache");
    assertEquals(2, s3.proxy.injected().get(fault), "both parts were broken once");
    s3.assertConsistent(prefix, "after an upload through " + fault);
    s3.proxy.plan(Plan.none());
    AssetClient reader = s3.client(s3.direct(prefix), tmp.resolve("reader"), "bob");
    Path out = reader.download(TYPE, ALIAS).to(tmp.resolve("out"));
    FaultyS3.assertExactFiles(files, out, true);
    assertEquals(v.version(), reader.alias(TYPE, ALIAS).orElseThrow().version());
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void oneFaultOnEachBlobReadIsRiddenOutAndTheDownloadIsExact(Fault fault) throws Exception {
    Map<String, byte[]> files = uploadedWithoutFaults(2, 3 << 20);
    s3.proxy.plan(Plan.first(files.size(), get("/blobs/"), fault));
    AssetClient reader = s3.client(s3.faulty(prefix), tmp.resolve("reader"), "bob");
    Path out = reader.download(TYPE, ALIAS).to(tmp.resolve("out"));
    FaultyS3.assertExactFiles(files, out, true);
    assertEquals(files.size(), s3.proxy.injected().get(fault), "every blob read was broken once");
  }

  @Test
  void anUploadWhoseBodyStopsBeingReadIsAbandonedAfterTheSocketTimeoutAndRetried() throws Exception {
    // A 16 MiB part outgrows the socket buffers, so the client's write blocks when the proxy
    // stops reading; only the client's own watchdog can end that within the proxy's 60s stall.
    Path src = tmp.resolve("src");
    Map<String, byte[]> files = FaultyS3.writeFiles(src, 7, 20 << 20);
    s3.proxy.plan(Plan.first(1, r -> r.target().contains("partNumber="), Fault.STALL_REQUEST));
    long start = System.nanoTime();
    upload(s3.faulty(prefix, FaultyS3.SOCKET_TIMEOUT, "&multipartThreshold=16MiB&partSize=16MiB"), files, src, "cache");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(1, s3.proxy.injected().get(Fault.STALL_REQUEST));
    assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "a stalled upload was abandoned only after " + took);
    s3.assertConsistent(prefix, "after a stalled part");
  }

  @Test
  void aLostResponseToTheAliasMoveIsOneMoveNotTwo() throws Exception {
    Path src = tmp.resolve("src");
    Map<String, byte[]> files = FaultyS3.writeFiles(src, 3, 1000);
    s3.proxy.plan(Plan.first(1, put("/aliases/" + TYPE + "/" + ALIAS + "/0000000001.json"), Fault.RESET_RESPONSE));
    AssetVersion v = upload(s3.faulty(prefix), files, src, "cache");
    assertEquals(1, s3.proxy.injected().get(Fault.RESET_RESPONSE));
    var history = s3.assertConsistent(prefix, "after a lost alias-move response").aliasLogs().get(TYPE + "/" + ALIAS);
    assertEquals(1, history.size(), "the retried move found its own entry: " + history);
    assertEquals(v.version().hex(), history.get(0).version());
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void aPermanentFaultFailsTheUploadClearlyWithinTheConfiguredAttempts(Fault fault) throws Exception {
    Path src = tmp.resolve("src");
    Map<String, byte[]> files = FaultyS3.writeFiles(src, 4, 1000);
    s3.proxy.plan(Plan.always(fault));
    long start = System.nanoTime();
    AmaException e = assertThrows(AmaException.class, () -> upload(s3.faulty(prefix), files, src, "cache"));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    s3.assertClearFailure(e, prefix);
    assertTrue(took.compareTo(PERMANENT_FAULT_BOUND) < 0, "gave up after " + took);
    assertEquals(FaultyS3.MAX_ATTEMPTS, s3.proxy.maxAttemptsOfOneCall(), "no call is tried more often than configured");
    s3.proxy.plan(Plan.none());
    s3.assertConsistent(prefix, "after a permanent " + fault);
    upload(s3.faulty(prefix), files, src, "cache");
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void aPermanentFaultOnBlobReadsFailsTheDownloadClearly(Fault fault) throws Exception {
    Map<String, byte[]> files = uploadedWithoutFaults(5, 1 << 20);
    s3.proxy.plan(r -> r.path().contains("/blobs/") ? fault : Fault.NONE);
    AssetClient reader = s3.client(s3.faulty(prefix), tmp.resolve("reader"), "bob");
    long start = System.nanoTime();
    AmaException e = assertThrows(AmaException.class, () -> reader.download(TYPE, ALIAS).to(tmp.resolve("out")));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    s3.assertClearFailure(e, prefix);
    assertTrue(took.compareTo(PERMANENT_FAULT_BOUND) < 0, "gave up after " + took);
    assertTrue(s3.proxy.maxAttemptsOfOneCall() <= FaultyS3.MAX_ATTEMPTS, "attempts " + s3.proxy.maxAttemptsOfOneCall());
    FaultyS3.assertExactFiles(files, tmp.resolve("out"), false);
  }
}
