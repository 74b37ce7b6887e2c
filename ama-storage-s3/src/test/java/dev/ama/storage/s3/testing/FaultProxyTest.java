package dev.ama.storage.s3.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.storage.s3.testing.FaultProxy.Fault;
import dev.ama.storage.s3.testing.FaultProxy.Plan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The proxy does to the bytes what each fault says, seen from a raw socket, so a suite that
 * trusts it to inject faults is not silently testing a clean network. The request is a presigned
 * GET of a 10 KiB object, answered with a Content-Length.
 */
@ExtendWith(S3ProxyExtension.class)
class FaultProxyTest {
  private static final Pattern LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");
  private static FaultProxy proxy;
  private static URL object;

  @BeforeAll
  static void start(S3ProxyServer s3) throws IOException {
    proxy = FaultProxy.start(s3.endpoint(), Duration.ofSeconds(30));
    String bucket = s3.createBucket();
    s3.admin().putObject(b -> b.bucket(bucket).key("some-key"), RequestBody.fromBytes(new byte[10 * 1024]));
    try (S3Presigner presigner = S3Presigner.builder()
        .endpointOverride(proxy.endpoint())
        .region(Region.of(S3ProxyServer.REGION))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY)))
        .build()) {
      object = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofHours(1))
          .getObjectRequest(g -> g.bucket(bucket).key("some-key"))).url();
    }
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @BeforeEach
  void reset() {
    proxy.plan(Plan.none());
    proxy.resetCounters();
  }

  /** Sends one GET and reads until the proxy closes; what arrived, or the error that ended it. */
  private static String exchange(int readTimeoutMillis) throws IOException {
    try (Socket s = new Socket(proxy.endpoint().getHost(), proxy.endpoint().getPort())) {
      s.setSoTimeout(readTimeoutMillis);
      s.getOutputStream().write(("GET " + object.getFile() + " HTTP/1.1\r\nHost: " + object.getAuthority() + "\r\n"
          + "amz-sdk-request: attempt=3; max=4\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static int bodyShortfall(String response) {
    int split = response.indexOf("\r\n\r\n");
    Matcher m = LENGTH.matcher(response.substring(0, split));
    assertTrue(m.find(), "a Content-Length in " + response);
    return Integer.parseInt(m.group(1)) - (response.length() - split - 4);
  }

  @Test
  void withoutAFaultTheResponseArrivesWhole() throws IOException {
    String response = exchange(10_000);
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    assertEquals(0, bodyShortfall(response));
    assertEquals(1, proxy.requests());
    assertEquals(3, proxy.maxAttemptsOfOneCall(), "the SDK's attempt header is read");
    assertEquals(0, proxy.injectedTotal());
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"ERROR_500", "SLOW_DOWN_503"})
  void errorsAreSynthesizedAsS3Does(Fault fault) throws IOException {
    proxy.plan(Plan.always(fault));
    String response = exchange(10_000);
    String code = fault == Fault.ERROR_500 ? "500" : "503";
    assertTrue(response.startsWith("HTTP/1.1 " + code), response);
    assertTrue(response.contains(fault == Fault.ERROR_500 ? "<Code>InternalError</Code>" : "<Code>SlowDown</Code>"), response);
    assertTrue(response.contains("<Resource>" + object.getPath() + "</Resource>"), response);
    assertEquals(0, bodyShortfall(response));
    assertEquals(1, proxy.injected().get(fault));
  }

  @Test
  void aTruncatedResponsePromisesMoreThanItSendsThenCloses() throws IOException {
    proxy.plan(Plan.always(Fault.TRUNCATE));
    String response = exchange(10_000);
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    assertTrue(bodyShortfall(response) > 0, "bytes missing from " + response);
  }

  @Test
  void aResetResponseEndsWithAReset() {
    proxy.plan(Plan.always(Fault.RESET_RESPONSE));
    assertThrows(SocketException.class, () -> exchange(10_000));
  }

  @Test
  void aStalledResponseGoesSilentPastTheClientsTimeout() {
    proxy.plan(Plan.always(Fault.STALL_RESPONSE));
    long start = System.nanoTime();
    assertThrows(SocketTimeoutException.class, () -> exchange(500));
    assertTrue(System.nanoTime() - start >= 500_000_000L);
  }

  @Test
  void firstBreaksOnlyTheMatchingRequestsItWasToldTo() throws IOException {
    proxy.plan(Plan.first(1, r -> r.path().equals(object.getPath()), Fault.ERROR_500));
    assertTrue(exchange(10_000).startsWith("HTTP/1.1 500"));
    assertTrue(exchange(10_000).startsWith("HTTP/1.1 200"));
    assertEquals(1, proxy.injectedTotal());
  }

  @Test
  void aSeededPlanRepeatsItself() {
    Plan a = Plan.seeded(7, 0.3, Fault.all());
    Plan b = Plan.seeded(7, 0.3, Fault.all());
    for (int i = 1; i <= 200; i++) {
      FaultProxy.Request r = new FaultProxy.Request(i, "GET", "/b/k" + i, -1);
      assertEquals(a.decide(r), b.decide(r), "request " + i);
    }
  }
}
