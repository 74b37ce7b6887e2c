package dev.ama.storage.s3.testing;

import java.io.IOException;

/**
 * Runs S3Proxy's main class in the server process and exits when its standard input closes,
 * which happens when the test JVM that started it dies, even by {@code kill -9}. So no server
 * outlives the build that needed it. Uses only JDK classes, since it runs beside S3Proxy's jar.
 */
public final class S3ProxyLauncher {
  private S3ProxyLauncher() {}

  /** Arguments: S3Proxy's own ({@code --properties FILE}). */
  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // The parent never writes; EOF means it is gone.
        }
      } catch (IOException e) {
        // A broken pipe means the same.
      }
      System.exit(0);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Class.forName("org.gaul.s3proxy.Main").getMethod("main", String[].class).invoke(null, (Object) args);
  }
}
