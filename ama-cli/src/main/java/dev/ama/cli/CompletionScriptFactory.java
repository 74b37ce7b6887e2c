package dev.ama.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * Creates the commands for picocli's {@code AutoComplete} tool, which writes the distribution's
 * completion scripts at build time (see this module's pom.xml). That tool can only instantiate a
 * command class through a factory, and {@link AmaCli} has no constructor without arguments: it
 * always runs with an injected working folder and environment. The scripts need only the
 * command tree, so an empty environment that writes nowhere does.
 */
final class CompletionScriptFactory implements CommandLine.IFactory {
  @Override
  public <K> K create(Class<K> type) throws Exception {
    if (type != AmaCli.class) {
      return CommandLine.defaultFactory().create(type);
    }
    // Reflection, so AmaCli keeps a single constructor that only its own run() calls.
    Constructor<K> constructor =
        type.getDeclaredConstructor(Path.class, Map.class, PrintWriter.class, PrintWriter.class);
    constructor.setAccessible(true);
    PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
    return constructor.newInstance(Path.of("").toAbsolutePath(), Map.of(), nowhere, nowhere);
  }
}
