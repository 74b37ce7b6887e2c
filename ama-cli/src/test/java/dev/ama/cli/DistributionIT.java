package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installable CLI as a user gets it: the {@code ama-cli-<version>.tar.gz} of the package
 * phase, unpacked outside the checkout, runs the seed workflow from a working folder outside the
 * checkout with an empty home, through a symlink, as separate processes.
 */
class DistributionIT {
  static final Path CHECKOUT = Path.of(System.getProperty("ama.repo.root", "..")).toAbsolutePath().normalize();

  @TempDir static Path installs;
  static UnpackedDistribution dist;

  @TempDir Path tmp;

  @BeforeAll
  static void unpack() throws Exception {
    dist = UnpackedDistribution.unpack(installs);
  }

  /** The environment of a user who has set nothing for AMA: the home is new and empty. */
  Map<String, String> freshUser() throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
    env.put("USER", "seed-user");
    // A JDK 25 AOT cache is trained in the background after a command; only the test of it wants that.
    env.put("AMA_AOT", "off");
    return env;
  }

  @Test
  void seedWorkflowRunsFromTheUnpackedArchive() throws Exception {
    assertFalse(dist.root().startsWith(CHECKOUT), "the distribution must be unpacked outside the checkout");
    assertFalse(tmp.startsWith(CHECKOUT), "the working folder must be outside the checkout");
    // As installed by `ln -s .../bin/ama ~/bin/ama`: the launcher finds lib/ through the link.
    Path link = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("bin")).resolve("ama"), dist.launcher());
    Path work = Files.createDirectories(tmp.resolve("work"));
    Map<String, String> env = freshUser();
    Map<String, byte[]> files = SeedWorkflowTest.writeTrainingOutput(work);

    for (String line : SeedWorkflowTest.SEED) {
      ok(link, work, env, line);
    }
    Path teammate = Files.createDirectories(tmp.resolve("teammate"));
    ok(link, teammate, env, "ama download sequence_models --alias my_model");
    ok(link, teammate, env, "ama download sequence_models --alias my_model --refs -o with_refs");

    for (String name : SeedWorkflowTest.OUTPUTS) {
      assertArrayEquals(files.get(name), Files.readAllBytes(teammate.resolve("my_model").resolve(name)), name);
      assertArrayEquals(files.get(name), Files.readAllBytes(teammate.resolve("with_refs").resolve(name)), name);
    }
    for (String name : SeedWorkflowTest.INPUTS) {
      assertArrayEquals(files.get(name),
          Files.readAllBytes(teammate.resolve("with_refs/refs/nlp_embeddings/my_training_inputs").resolve(name)), name);
    }
    assertTrue(Files.isDirectory(tmp.resolve("home/.ama/store")), "the default store is ~/.ama/store");
  }

  private void ok(Path launcher, Path dir, Map<String, String> env, String line) throws Exception {
    UnpackedDistribution.Result r = dist.run(launcher, dir, env, SeedWorkflowTest.argv(line));
    assertEquals(0, r.code(), line + "\n" + r);
  }

  @Test
  void eachSetOfPluginJarsGetsAClassDataArchiveOfItsOwn() throws Exception {
    assumeTrue(Runtime.version().feature() < 25, "AppCDS archives are for JDK 17 to 24; JDK 25 has AOT caches");
    Path lib = dist.root().resolve("lib");
    Set<Path> before = archives(lib, ".jsa");
    // Any jar in ~/.ama/plugins changes the class path, which an archive made without it would not match.
    Map<String, String> env = freshUser();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    Path plugins = Files.createDirectories(tmp.resolve("home/.ama/plugins"));
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(plugins.resolve("empty.jar")))) {
      jar.putNextEntry(new ZipEntry("empty.txt"));
    }
    // A download records the classes it loaded at exit, even one that fails (here: no such store).
    env.put("AMA_STORE", tmp.resolve("no-store").toString());
    UnpackedDistribution.Result first = dist.run(dist.launcher(), tmp, env, "download", "params", "--alias", "p");
    assertTrue(first.code() != 0 && first.err().contains("no-store"), first.toString());
    Set<Path> added = archives(lib, ".jsa");
    added.removeAll(before);
    assertEquals(1, added.size(), "one archive for this set of plugins: " + added);
    assertTrue(added.iterator().next().getFileName().toString().matches("ama-cli-\\d+\\.jsa"), added.toString());

    env.put("AMA_JAVA_OPTS", "-Xlog:cds=info");
    UnpackedDistribution.Result second = dist.run(dist.launcher(), tmp, env, "download", "params", "--alias", "p");
    assertTrue(second.out().contains("Mapped dynamic region"), "the second run maps the archive:\n" + second);
  }

  private static Set<Path> archives(Path lib, String suffix) throws IOException {
    try (var list = Files.list(lib)) {
      return list.filter(f -> f.getFileName().toString().endsWith(suffix)).collect(Collectors.toSet());
    }
  }

  @Test
  void aCommandOnALocalStoreLoadsNoCloudBackend() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    Files.writeString(work.resolve("model.yml"), "layers: 4\n");
    Map<String, String> env = freshUser();
    env.put("AMA_STORE", tmp.resolve("store").toString());
    env.put("AMA_CDS", "off");
    dist.ok(work, env, "init", "models");
    dist.ok(work, env, "add", "model.yml");
    dist.ok(work, env, "upload");

    env.put("AMA_JAVA_OPTS", "-Xlog:class+load=info");
    UnpackedDistribution.Result ls = dist.ok(work, env, "ls");
    assertTrue(ls.out().contains("dev.ama.cli.LsCommand"), "the class loading log is there:\n" + ls);
    for (String cloud : List.of("dev.ama.storage.s3.", "dev.ama.storage.gcs.", "software.amazon.", "com.google.")) {
      assertFalse(ls.out().contains(" " + cloud), "ama ls on a local store loaded " + cloud + "*:\n" + ls);
    }
  }

  @Test
  void onJdk25TheFirstCommandTrainsAnAotCacheInTheBackgroundThatLaterCommandsUse() throws Exception {
    Map<String, String> env = jdk25UserWithAot();
    Path lib = dist.root().resolve("lib");

    UnpackedDistribution.Result first = dist.ok(tmp, env, "--version");
    assertTrue(first.out().contains(env.get("JAVA_HOME")), first.toString());
    // The command itself did not wait for the training: it runs on after the command returned.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (localCaches(lib).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    Set<Path> caches = localCaches(lib);
    assertEquals(1, caches.size(), "one AOT cache for local stores in " + lib + ": " + archives(lib, ".aot"));

    env.put("AMA_JAVA_OPTS", "-Xlog:aot=info");
    UnpackedDistribution.Result second = dist.ok(tmp, env, "--version");
    assertTrue(second.out().contains("Opened AOT cache " + caches.iterator().next()), "the second run maps it:\n" + second);
  }

  @Test
  void onJdk25ACommandOnAnS3StoreTrainsAndMapsTheCacheWithTheSdkInIt() throws Exception {
    Map<String, String> env = jdk25UserWithAot();
    Path lib = dist.root().resolve("lib");
    env.put("AMA_STORE", "s3://training-bucket/store");

    dist.ok(tmp, env, "--version");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (s3Caches(lib).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    Set<Path> caches = s3Caches(lib);
    assertEquals(1, caches.size(), "one AOT cache for S3 stores in " + lib + ": " + archives(lib, ".aot"));
    Path s3Cache = caches.iterator().next();

    env.put("AMA_JAVA_OPTS", "-Xlog:aot=info");
    UnpackedDistribution.Result s3 = dist.ok(tmp, env, "--version");
    assertTrue(s3.out().contains("Opened AOT cache " + s3Cache), "a command on S3 maps it:\n" + s3);
    env.put("AMA_STORE", tmp.resolve("local-store").toString());
    UnpackedDistribution.Result local = dist.ok(tmp, env, "--version");
    assertFalse(local.out().contains("Opened AOT cache " + s3Cache), "a command on a local store does not:\n" + local);
    // That command may have started the training of the local stores' cache: let it end here.
    while (!archives(lib, ".aot.lock").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
  }

  /** A fresh user whose bin/ama runs on the installed JDK 25 with its AOT cache; skips the test without one. */
  private Map<String, String> jdk25UserWithAot() throws IOException {
    Optional<Path> jdk25 = installedJdk25();
    assumeTrue(jdk25.isPresent(), "no JDK 25 or later in /usr/lib/jvm");
    Map<String, String> env = freshUser();
    env.put("AMA_AOT", "on");
    env.put("JAVA_HOME", jdk25.get().toString());
    return env;
  }

  private static Set<Path> s3Caches(Path lib) throws IOException {
    return cachesNamed(lib, "ama-cli-s3-jdk[0-9.+]+\\.aot");
  }

  private static Set<Path> localCaches(Path lib) throws IOException {
    return cachesNamed(lib, "ama-cli-jdk[0-9.+]+\\.aot");
  }

  private static Set<Path> cachesNamed(Path lib, String regex) throws IOException {
    return archives(lib, ".aot").stream().filter(f -> f.getFileName().toString().matches(regex))
        .collect(Collectors.toSet());
  }

  /** A JDK 25 or later where Debian installs JDKs, such as Temurin 25's package. */
  private static Optional<Path> installedJdk25() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (var homes = Files.list(jvms)) {
      return homes.filter(h -> Files.isExecutable(h.resolve("bin/java"))).filter(h -> {
        try {
          String release = Files.readString(h.resolve("release"));
          Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(release);
          return m.find() && Integer.parseInt(m.group(1)) >= 25;
        } catch (IOException e) {
          return false;
        }
      }).sorted().findFirst();
    }
  }

  @Test
  void withoutJavaHomeTheNewestJdk25OrLaterInTheJdkFoldersRuns() throws Exception {
    Path jdks = Files.createDirectories(tmp.resolve("jdks"));
    Path marker = tmp.resolve("used");
    for (String version : List.of("24.0.1", "26.0.2", "25.0.3", "17.0.15")) {
      fakeJdk(jdks.resolve("jdk-" + version), version, "echo " + version + " > '" + marker + "'\n");
    }
    Map<String, String> env = freshUser();
    env.put("AMA_JDK_DIRS", tmp.resolve("none") + ":" + jdks);

    dist.ok(tmp, env, "--version");

    assertEquals("26.0.2\n", Files.readString(marker));
  }

  @Test
  void withNoJdk25OrLaterFoundTheJavaOnThePathRuns() throws Exception {
    Path jdks = Files.createDirectories(tmp.resolve("jdks"));
    Path marker = tmp.resolve("used");
    fakeJdk(jdks.resolve("jdk-24"), "24.0.1", "echo 24 > '" + marker + "'\n");
    Map<String, String> env = freshUser();
    env.put("AMA_JDK_DIRS", jdks.toString());

    UnpackedDistribution.Result r = dist.ok(tmp, env, "--version");

    assertFalse(Files.exists(marker), "JDK 24 is no better than the java on the PATH");
    assertTrue(r.out().endsWith("at " + System.getProperty("java.home") + "\n"), r.out());
  }

  /** A JDK folder of the given version whose bin/java runs {@code before}, then the test's java. */
  private static void fakeJdk(Path home, String version, String before) throws IOException {
    Path java = Files.writeString(Files.createDirectories(home.resolve("bin")).resolve("java"), "#!/bin/sh\n" + before
        + "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
  }

  @Test
  void versionNamesTheBuildAndTheJavaItRuns() throws Exception {
    Map<String, String> env = freshUser();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    UnpackedDistribution.Result r = dist.ok(tmp, env, "--version");
    List<String> lines = r.out().lines().toList();
    String version = dist.root().getFileName().toString().substring("ama-cli-".length());
    assertEquals(2, lines.size(), r.out());
    assertTrue(lines.get(0).matches("ama " + version.replace(".", "\\.") + " \\(commit ([0-9a-f]{4,40}|unknown)\\)"),
        r.out());
    assertEquals("Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ") at "
        + System.getProperty("java.home"), lines.get(1));
  }

  @Test
  void javaHomeChoosesTheJvm() throws Exception {
    Path marker = tmp.resolve("used");
    Path fakeHome = fakeJava("#!/bin/sh\necho \"$@\" > '" + marker + "'\nexec '"
        + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n", null);
    Map<String, String> env = freshUser();
    env.put("JAVA_HOME", fakeHome.toString());
    dist.ok(tmp, env, "--version");
    assertTrue(Files.readString(marker).contains("dev.ama.cli.AmaCli --version"), Files.readString(marker));
  }

  @Test
  void tooOldJavaIsRefusedBeforeItStarts() throws Exception {
    Path fakeHome = fakeJava("#!/bin/sh\necho 'must not run' >&2\nexit 9\n", "11.0.22");
    Map<String, String> env = freshUser();
    env.put("JAVA_HOME", fakeHome.toString());
    UnpackedDistribution.Result r = dist.run(dist.launcher(), tmp, env, "ls");
    assertEquals(1, r.code(), r.toString());
    assertEquals("ama: needs Java 17 or later, but " + fakeHome.resolve("bin/java") + " is Java 11.0.22;"
        + " set JAVA_HOME to a JDK 17 or later\n", r.err());
  }

  @Test
  void javaHomeWithoutJavaIsAnError() throws Exception {
    Map<String, String> env = freshUser();
    env.put("JAVA_HOME", tmp.toString());
    UnpackedDistribution.Result r = dist.run(dist.launcher(), tmp, env, "ls");
    assertEquals(1, r.code(), r.toString());
    assertEquals("ama: JAVA_HOME is " + tmp + ", which has no bin/java; point it at a JDK 17 or later,"
        + " or unset it\n", r.err());
  }

  @Test
  void noJavaAtAllIsAnError() throws Exception {
    // A PATH with only what the launcher needs before it looks for java: bash and dirname.
    Path tools = Files.createDirectories(tmp.resolve("tools"));
    for (String tool : List.of("bash", "dirname")) {
      Path found = Path.of("/usr/bin", tool);
      Files.createSymbolicLink(tools.resolve(tool), Files.exists(found) ? found : Path.of("/bin", tool));
    }
    Map<String, String> env = freshUser();
    env.put("PATH", tools.toString());
    env.put("AMA_JDK_DIRS", "");
    UnpackedDistribution.Result r = dist.run(dist.launcher(), tmp, env, "ls");
    assertEquals(1, r.code(), r.toString());
    assertEquals("ama: no java found; install a JDK 17 or later and put its bin/ on the PATH, or set JAVA_HOME\n",
        r.err());
  }

  @Test
  void aMissingClassPathEntryIsNamed() throws Exception {
    Map<String, String> env = freshUser();
    env.put("AMA_CLASSPATH", tmp.resolve("backend.jar") + ":" + tmp + "/*");
    UnpackedDistribution.Result r = dist.run(dist.launcher(), tmp, env, "ls");
    assertEquals(1, r.code(), r.toString());
    assertEquals("ama: AMA_CLASSPATH names " + tmp.resolve("backend.jar") + ", which does not exist;"
        + " fix the path or unset AMA_CLASSPATH\n", r.err());
  }

  /** A JDK folder whose bin/java is {@code script}, with a release file if {@code version} is given. */
  private Path fakeJava(String script, String version) throws IOException {
    Path home = Files.createDirectories(tmp.resolve("jdk"));
    Path java = Files.writeString(Files.createDirectories(home.resolve("bin")).resolve("java"), script);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (version != null) {
      Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
    }
    return home;
  }

  @Test
  void everyJarInLibIsListedInThirdPartyWithALicenceAndItsNoticeFilesAreCopied() throws Exception {
    Path root = dist.root();
    // groupId:artifactId:version, then indented lines; a licence line is "  License: NAME - URL".
    Map<String, List<String>> licences = new HashMap<>();
    String jar = null;
    for (String line : Files.readAllLines(root.resolve("THIRD-PARTY.txt"))) {
      java.util.regex.Matcher gav = java.util.regex.Pattern.compile("([^\\s:]+):([^\\s:]+):([^\\s:]+)").matcher(line);
      if (gav.matches()) {
        jar = gav.group(2) + "-" + gav.group(3) + ".jar";
        licences.put(jar, new java.util.ArrayList<>());
      } else if (jar != null && line.startsWith("  License: ")) {
        licences.get(jar).add(line.substring("  License: ".length()));
      }
    }
    List<String> jars;
    try (var s = Files.list(root.resolve("lib"))) {
      jars = s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
    }
    assertTrue(jars.size() > 20, "lib/ holds the runtime jars: " + jars);
    String own = root.getFileName() + ".jar";
    for (String name : jars) {
      if (name.equals(own)) {
        continue;
      }
      List<String> found = licences.get(name);
      assertTrue(found != null && !found.isEmpty(), name + " in lib/ has no licence in THIRD-PARTY.txt: " + licences.keySet());
      assertTrue(found.stream().allMatch(l -> l.matches(".+ - https?://\\S+")), name + ": " + found);
      if (name.startsWith("ama-")) {
        continue;
      }
      // What the jar carries itself is passed on unchanged (Apache-2.0 section 4(d) for NOTICE).
      Path copied = root.resolve("licenses").resolve(name.substring(0, name.length() - ".jar".length()) + "-jar");
      try (ZipFile z = new ZipFile(root.resolve("lib").resolve(name).toFile())) {
        for (ZipEntry e : Collections.list(z.entries())) {
          if (!e.isDirectory() && e.getName().matches("META-INF/(NOTICE|LICENSE)[^/]*")) {
            Path copy = copied.resolve(e.getName());
            assertTrue(Files.isRegularFile(copy), e.getName() + " of " + name + " is not in " + copied);
            try (var in = z.getInputStream(e)) {
              assertArrayEquals(in.readAllBytes(), Files.readAllBytes(copy), copy.toString());
            }
          }
        }
      }
    }
  }

  @Test
  void theWindowsLauncherIsInTheArchiveAndStartsTheMainClassBinAmaStarts() throws Exception {
    java.util.regex.Matcher main = java.util.regex.Pattern.compile("-cp \"\\$classpath\" (\\S+) \"\\$@\"")
        .matcher(Files.readString(dist.launcher()));
    assertTrue(main.find(), "bin/ama names no main class after -cp");
    assertEquals(AmaCli.class.getName(), main.group(1));
    String cmd = Files.readString(dist.root().resolve("bin/ama.cmd"));
    assertTrue(cmd.contains("-cp \"%AMA_CP%\" " + main.group(1) + " %*"), cmd);
    assertTrue(cmd.contains("lib\\*") && cmd.contains("plugins\\*") && cmd.contains("%USERPROFILE%\\.ama\\plugins\\*")
        && cmd.contains("%AMA_CLASSPATH%") && cmd.contains("%JAVA_HOME%\\bin\\java.exe"), cmd);
    assertTrue(cmd.contains("\r\n") && !cmd.replace("\r\n", "").contains("\n"), "cmd.exe reads CRLF lines");
  }

  @Test
  void bothArchivesHoldTheSameLayout() throws Exception {
    Path root = dist.root();
    String base = root.getFileName() + "/";
    Set<String> unpacked = new TreeSet<>();
    try (var walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(f -> unpacked.add(base + root.relativize(f)));
    }
    for (String required : List.of("bin/ama", "bin/ama.cmd", "README.md", "LICENSE", "THIRD-PARTY.txt", "docs/cli.md", "docs/storage-spi.md",
        "completion/ama.bash", "completion/_ama", "plugins/README.txt",
        "lib/" + root.getFileName() + ".jar")) {
      assertTrue(unpacked.contains(base + required), required + " missing from " + unpacked);
    }
    assertTrue(Files.isExecutable(root.resolve("bin/ama")));
    for (String module : List.of("ama-core", "ama-storage-s3", "ama-storage-gcs")) {
      assertTrue(unpacked.stream().anyMatch(f -> f.startsWith(base + "lib/" + module + "-")), module + " jar missing");
    }

    Path zip = Path.of(UnpackedDistribution.archive().toString().replaceFirst("\\.tar\\.gz$", ".zip"));
    Set<String> zipped = new TreeSet<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      Collections.list(z.entries()).stream().filter(e -> !e.isDirectory()).forEach(e -> zipped.add(e.getName()));
    }
    // What bin/ama writes beside the jars: AppCDS archives, AOT caches and their markers.
    unpacked.removeIf(f -> f.matches(".*/lib/ama-cli[^/]*\\.(jsa|aot)(\\..*)?"));
    assertEquals(unpacked, zipped);
  }

  @Test
  void bashCompletionCompletesCommandsAndOptions() throws Exception {
    // What bash sets before calling a completion function for "ama up<TAB>" and "ama download --al<TAB>".
    String out = shell("bash", "source \"$1\" && complete -p ama"
        + " && COMP_WORDS=(ama up) COMP_CWORD=1 && _complete_ama 2>/dev/null && echo \"${COMPREPLY[*]}\""
        + " && COMP_WORDS=(ama download --al) COMP_CWORD=2 && _complete_ama 2>/dev/null && echo \"${COMPREPLY[*]}\"",
        dist.root().resolve("completion/ama.bash"));
    assertEquals(List.of("complete -o default -F _complete_ama ama", "upload", "--alias"), out.lines().toList());
  }

  @Test
  void zshCompletionRegistersTheAmaCommand() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")) || Files.isExecutable(Path.of("/bin/zsh")),
        "zsh is not installed");
    String out = shell("zsh", "source \"$1\" && print -r -- ${_comps[ama]}", dist.root().resolve("completion/_ama"));
    assertTrue(out.contains("_bash_complete -F _complete_ama"), out);
  }

  /** Runs {@code script} in a non-interactive {@code shell} with {@code file} as $1 and an empty home. */
  private String shell(String shell, String script, Path file) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(shell, shell.equals("zsh") ? "-fc" : "-c", script, shell, file.toString())
        .redirectErrorStream(true);
    pb.environment().put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    return out;
  }
}
