package dev.ama.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.LogManager;

/**
 * The logging set-up of the {@code ama} command: the libraries' logs stay out of its output
 * unless {@code --verbose}, and nothing is set up before a library logs.
 *
 * <p>Why lazily: setting java.util.logging's level at start-up made the JVM look up its logger
 * finder through {@code ServiceLoader}, and SLF4J looks up its provider the same way the first time
 * a class asks for a logger; each lookup opens every jar of the class path (some 100, most of
 * them the cloud SDKs'), about a third of a short command's start-up before this.
 * docs/performance.md, "CLI start-up", has the figures.
 */
public final class QuietLogging {
  /** SLF4J's system property naming its provider, read instead of a {@code ServiceLoader} lookup (SLF4J 2.0.9+). */
  static final String SLF4J_PROVIDER = "slf4j.provider";

  /** SLF4J's system property for the level of its own messages. */
  static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

  /** The SLF4J binding the CLI ships (slf4j-nop, see ama-cli's pom). */
  static final String NOP_PROVIDER = "org.slf4j.nop.NOPServiceProvider";

  /**
   * Called by java.util.logging, by name, when something first logs through it ({@code
   * java.util.logging.config.class}): its configuration is "no level passes, no handler".
   */
  public QuietLogging() {
    try {
      LogManager.getLogManager().readConfiguration(
          new ByteArrayInputStream(".level=OFF\n".getBytes(StandardCharsets.ISO_8859_1)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sets up logging for a run of {@code ama}, before any library logs: SLF4J gets the shipped
   * provider by name, and java.util.logging, unless {@code verbose}, this class as its
   * configuration. Options the user gave the JVM ({@code -Dslf4j.provider=...}, {@code
   * -Djava.util.logging.config.file=...} in {@code AMA_JAVA_OPTS}) are kept.
   */
  static void install(boolean verbose) {
    if (System.getProperty(SLF4J_PROVIDER) == null) {
      System.setProperty(SLF4J_PROVIDER, NOP_PROVIDER);
      // Else SLF4J says on stderr that it loads the provider so named.
      if (System.getProperty(SLF4J_VERBOSITY) == null) {
        System.setProperty(SLF4J_VERBOSITY, "WARN");
      }
    }
    if (!verbose && System.getProperty("java.util.logging.config.file") == null
        && System.getProperty("java.util.logging.config.class") == null) {
      System.setProperty("java.util.logging.config.class", QuietLogging.class.getName());
    }
  }
}
