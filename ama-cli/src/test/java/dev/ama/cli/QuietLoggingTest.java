package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QuietLoggingTest {
  private static final List<String> PROPERTIES = List.of(QuietLogging.SLF4J_PROVIDER, QuietLogging.SLF4J_VERBOSITY,
      "java.util.logging.config.class", "java.util.logging.config.file");

  private Properties saved;

  @BeforeEach
  void clearProperties() {
    saved = (Properties) System.getProperties().clone();
    PROPERTIES.forEach(System::clearProperty);
  }

  @AfterEach
  void restore() throws Exception {
    System.setProperties(saved);
    LogManager.getLogManager().readConfiguration();
  }

  @Test
  void itsConfigurationLetsNoLevelThroughAndHasNoHandler() {
    new QuietLogging();
    Logger root = Logger.getLogger("");
    assertEquals(Level.OFF, root.getLevel());
    assertEquals(0, root.getHandlers().length);
  }

  @Test
  void aRunNamesTheShippedSlf4jProviderAndThisConfigurationWithoutSettingUpLoggingYet() {
    QuietLogging.install(false);
    assertEquals(QuietLogging.NOP_PROVIDER, System.getProperty(QuietLogging.SLF4J_PROVIDER));
    assertEquals("WARN", System.getProperty(QuietLogging.SLF4J_VERBOSITY));
    assertEquals(QuietLogging.class.getName(), System.getProperty("java.util.logging.config.class"));
  }

  @Test
  void verboseKeepsTheJdkLoggingDefaults() {
    QuietLogging.install(true);
    assertNull(System.getProperty("java.util.logging.config.class"));
    assertEquals(QuietLogging.NOP_PROVIDER, System.getProperty(QuietLogging.SLF4J_PROVIDER));
  }

  @Test
  void whatTheUserGaveTheJvmIsKept() {
    System.setProperty("java.util.logging.config.file", "/etc/my-logging.properties");
    System.setProperty(QuietLogging.SLF4J_PROVIDER, "org.example.MyProvider");
    QuietLogging.install(false);
    assertNull(System.getProperty("java.util.logging.config.class"));
    assertEquals("org.example.MyProvider", System.getProperty(QuietLogging.SLF4J_PROVIDER));
    assertNull(System.getProperty(QuietLogging.SLF4J_VERBOSITY));
  }
}
