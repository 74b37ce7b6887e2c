package dev.ama.storage.s3.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The harness never leaves a server behind. */
class S3ProxyServerTest {

  @Test
  void closeStopsTheServer() throws Exception {
    S3ProxyServer server = S3ProxyServer.start();
    ProcessHandle process = ProcessHandle.of(server.pid()).orElseThrow();
    server.close();
    assertFalse(process.isAlive(), "S3Proxy still runs after close()");
  }

  /** Starts a server and waits forever; the test kills this JVM with SIGKILL. */
  public static final class Owner {
    public static void main(String[] args) throws Exception {
      S3ProxyServer server = S3ProxyServer.start();
      System.out.println("PID " + server.pid());
      System.out.flush();
      Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }
  }

  @Test
  void serverExitsWhenTheJvmThatStartedItIsKilled() throws Exception {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-D" + S3ProxyServer.JAR_PROPERTY + "=" + S3ProxyServer.findJar(), Owner.class.getName());
    Process owner = new ProcessBuilder(command).redirectErrorStream(true).start();
    Optional<ProcessHandle> server = Optional.empty();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("PID ")) {
          server = ProcessHandle.of(Long.parseLong(line.substring(4)));
          break;
        }
      }
      assertTrue(server.isPresent(), "the owner JVM did not start a server");
      owner.destroyForcibly(); // SIGKILL: no shutdown hook runs
      owner.waitFor(30, TimeUnit.SECONDS);
      ProcessHandle s3proxy = server.get();
      try {
        s3proxy.onExit().get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail("S3Proxy (pid " + s3proxy.pid() + ") outlived the killed JVM that started it by 30s");
      }
    } finally {
      owner.destroyForcibly();
      server.ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
