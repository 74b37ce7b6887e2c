package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code bin/ama} script in child processes against the packaged jar and
 * {@code target/lib}; failsafe runs it after the package phase.
 */
class BinAmaIT {
  static final Path ROOT = Path.of(System.getProperty("ama.repo.root", "..")).toAbsolutePath().normalize();
  static final Path SCRIPT = ROOT.resolve("bin/ama");

  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  Run run(Path script, Path dir, Map<String, String> extraEnv, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AMA_") || k.startsWith("LC_") || k.equals("LANG"));
    env.put("HOME", tmp.resolve("home").toString());
    env.put("AMA_STORE", tmp.resolve("store").toString());
    env.put("AMA_CACHE", tmp.resolve("cache").toString());
    env.put("AMA_USER", "ci");
    // No JDK 25 AOT cache trained in the background into the checkout's target/ while tests run.
    env.put("AMA_AOT", "off");
    env.putAll(extraEnv);
    pb.redirectOutput(tmp.resolve("out.txt").toFile());
    pb.redirectError(tmp.resolve("err.txt").toFile());
    Process p = pb.start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        throw new AssertionError("bin/ama " + String.join(" ", args) + " did not finish in 120 s");
      }
    } finally {
      p.destroyForcibly();
    }
    return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
  }

  Run ok(Path dir, String line) throws Exception {
    Run r = run(SCRIPT, dir, Map.of(), SeedWorkflowTest.argv(line));
    assertEquals(0, r.code(), line + "\n" + r);
    return r;
  }

  @Test
  void seedCommandsRunVerbatimThroughTheScript() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    Map<String, byte[]> files = SeedWorkflowTest.writeTrainingOutput(work);
    for (String line : SeedWorkflowTest.SEED) {
      ok(work, line);
    }
    ok(work, "ama download sequence_models --alias my_model --refs");
    for (String name : SeedWorkflowTest.OUTPUTS) {
      assertArrayEquals(files.get(name), Files.readAllBytes(work.resolve("my_model").resolve(name)), name);
    }
    for (String name : SeedWorkflowTest.INPUTS) {
      assertArrayEquals(files.get(name),
          Files.readAllBytes(work.resolve("my_model/refs/nlp_embeddings/my_training_inputs").resolve(name)), name);
    }
  }

  @Test
  void nonAsciiFileNamesWorkWithoutALocale() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    Files.writeString(work.resolve("Größe-模型.yml"), "größe: 1\n");
    ok(work, "ama init params");
    ok(work, "ama add Größe-模型.yml");
    ok(work, "ama set --alias odd");
    ok(work, "ama upload");
    Run show = ok(work, "ama show params --alias odd");
    assertTrue(show.out().contains("Größe-模型.yml"), show.out());
  }

  @Test
  void errorsAreOneLineWithTheirExitCode() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    Run r = run(SCRIPT, work, Map.of(), "upload");
    assertEquals(4, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("ama: no asset is started in "), r.err());
    assertEquals("", r.out());
  }

  @Test
  void scriptSaysHowToBuildWhenTheJarIsMissing() throws Exception {
    Path fakeRoot = Files.createDirectories(tmp.resolve("checkout/bin"));
    Path copy = Files.copy(SCRIPT, fakeRoot.resolve("ama"));
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
    Run r = run(copy, tmp, Map.of(), "--help");
    assertEquals(1, r.code());
    assertEquals("ama: not built yet; run: mvn -B -DskipTests package\n", r.err());
  }

  @Test
  void versionComesFromThePackagedJar() throws Exception {
    Run r = run(SCRIPT, tmp, Map.of(), "--version");
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals(2, lines.size(), r.out());
    assertTrue(lines.get(0).matches("ama \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{4,40}|unknown)\\)"), r.out());
    assertTrue(lines.get(1).matches("Java \\d+\\S* \\(.+\\) at /.+"), r.out());
  }

  @Test
  void picocliOnTheLaunchersClassPathIsJava17ClassFilesThatPassTheVerifier() throws Exception {
    Path jar;
    try (DirectoryStream<Path> found = Files.newDirectoryStream(ROOT.resolve("ama-cli/target/lib"), "picocli-*.jar")) {
      jar = found.iterator().next();
    }
    List<String> classes = new ArrayList<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (ZipEntry entry : Collections.list(zip.entries())) {
        String name = entry.getName();
        if (name.endsWith(".class") && !name.endsWith("module-info.class")) {
          try (InputStream in = zip.getInputStream(entry)) {
            assertEquals(61, majorVersion(in), name + " in " + jar);
          }
          classes.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
        }
      }
    }
    assertTrue(classes.size() > 150, classes.toString());
    // Initialising a class links it, and linking verifies it with the type-checking verifier, which
    // needs the stack map frames the build computed: a wrong frame fails here with a VerifyError.
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      for (String name : classes) {
        assertEquals(loader, Class.forName(name, true, loader).getClassLoader(), name);
      }
    }
  }

  private static int majorVersion(InputStream classFile) throws IOException {
    DataInputStream in = new DataInputStream(classFile);
    in.readInt();
    in.readUnsignedShort();
    return in.readUnsignedShort();
  }

  @Test
  void startUpTraceNamesEachStepOnStderrAndLeavesStdoutAlone() throws Exception {
    Run plain = run(SCRIPT, tmp, Map.of(), "--version");
    Run traced = run(SCRIPT, tmp, Map.of(StartupTrace.ENV, "1"), "--version");
    assertEquals(0, traced.code(), traced.toString());
    assertEquals(plain.out(), traced.out());
    assertEquals("", plain.err());
    assertTrue(traced.err().startsWith("ama start-up trace (AMA_TRACE_STARTUP): JVM start to main "), traced.err());
    assertTrue(traced.err().contains(" ms  picocli model built (every command)\n"), traced.err());
    assertTrue(traced.err().contains(" ms  done\n"), traced.err());
  }
}
