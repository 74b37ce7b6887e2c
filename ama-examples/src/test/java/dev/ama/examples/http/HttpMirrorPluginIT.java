package dev.ama.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.cli.UnpackedDistribution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP mirror backend as a third party ships one: its own jar ({@code
 * ama-examples-<version>-http-mirror.jar}), added to the installed CLI (the unpacked distribution
 * archive) through each of the places {@code bin/ama} takes plugins from, then serving {@code
 * ama show} and {@code ama download} from a web server that mirrors a store folder; and the
 * checkout's {@code bin/ama}, the same launcher, with the jar in {@code ~/.ama/plugins/}.
 */
class HttpMirrorPluginIT {
  @TempDir static Path shared;
  static UnpackedDistribution dist;
  static Path plugin;
  static StaticFileServer mirror;
  static byte[] model;

  @TempDir Path tmp;

  @BeforeAll
  static void installAndPublish() throws Exception {
    dist = UnpackedDistribution.unpack(shared.resolve("install"));
    plugin = Path.of(System.getProperty("ama.http.mirror.jar", "target/ama-examples-http-mirror.jar"));
    assertTrue(Files.isRegularFile(plugin), plugin + " does not exist; build this module's package phase first");

    // The store is written by the installed CLI itself, on the filesystem backend it ships with.
    Path store = shared.resolve("store");
    Path work = Files.createDirectories(shared.resolve("training"));
    model = new byte[256 * 1024 + 3];
    new Random(7).nextBytes(model);
    Files.write(work.resolve("model.h5"), model);
    Files.writeString(work.resolve("meta.yml"), "stage: prod\n");
    Map<String, String> env = user(shared.resolve("trainer"));
    env.put("AMA_STORE", store.toString());
    dist.ok(work, env, "init", "models");
    dist.ok(work, env, "add", "model.h5,", "meta.yml");
    dist.ok(work, env, "set", "--alias", "prod");
    dist.ok(work, env, "upload");
    mirror = StaticFileServer.serve(store);
  }

  @AfterAll
  static void stopMirror() {
    if (mirror != null) {
      mirror.close();
    }
  }

  static Map<String, String> user(Path home) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", Files.createDirectories(home).toString());
    env.put("USER", "server");
    // Each plugin set would get a class-data archive of its own (DistributionIT checks that), one
    // JVM dump per test, and the checkout's launcher would leave one in ama-cli/target per run. On
    // a machine with JDK 25 the launcher would likewise start training an AOT cache for the test's
    // plugin set in the background, outliving the test, and leave its cache or failure marker there.
    env.put("AMA_CDS", "off");
    env.put("AMA_AOT", "off");
    return env;
  }

  /** Shows and downloads the mirrored version, as a serving machine would. */
  void servesFromTheMirror(Map<String, String> env) throws Exception {
    long before = mirror.requestCount();
    String location = mirror.uri().toString();
    String show = dist.ok(tmp, env, "--store", location, "show", "models", "--alias", "prod").out();
    assertTrue(show.contains("model.h5"), show);
    dist.ok(tmp, env, "--store", location, "download", "models", "--alias", "prod", "-o", "served");
    assertArrayEquals(model, Files.readAllBytes(tmp.resolve("served/model.h5")));
    assertEquals("stage: prod\n", Files.readString(tmp.resolve("served/meta.yml")));
    assertTrue(mirror.requestCount() > before, "nothing was read over HTTP");
  }

  @Test
  void pluginInTheDistributionsPluginsFolder() throws Exception {
    Path installed = Files.copy(plugin, dist.root().resolve("plugins").resolve(plugin.getFileName()));
    try {
      Map<String, String> env = user(tmp.resolve("home"));
      servesFromTheMirror(env);
      // Listing needs a store that can list; the plugin's own error says so.
      UnpackedDistribution.Result ls = dist.run(dist.launcher(), tmp, env, "--store", mirror.uri().toString(), "ls");
      assertEquals(4, ls.code(), ls.toString());
      assertTrue(ls.err().contains("a plain web server cannot list; list the store it mirrors instead"), ls.err());
    } finally {
      Files.delete(installed);
    }
  }

  @Test
  void pluginInTheUsersPluginsFolder() throws Exception {
    Map<String, String> env = user(tmp.resolve("home"));
    Path folder = Files.createDirectories(tmp.resolve("home/.ama/plugins"));
    Files.copy(plugin, folder.resolve(plugin.getFileName()));
    servesFromTheMirror(env);
  }

  @Test
  void pluginOnAmaClasspath() throws Exception {
    Map<String, String> env = user(tmp.resolve("home"));
    env.put("AMA_CLASSPATH", plugin.toString());
    servesFromTheMirror(env);
  }

  @Test
  void theCheckoutsLauncherTakesPluginsToo() throws Exception {
    Path checkoutLauncher = Path.of(System.getProperty("ama.repo.root", "..")).resolve("bin/ama");
    Map<String, String> env = user(tmp.resolve("home"));
    Path folder = Files.createDirectories(tmp.resolve("home/.ama/plugins"));
    Files.copy(plugin, folder.resolve(plugin.getFileName()));
    UnpackedDistribution.Result r = dist.run(checkoutLauncher, tmp, env,
        "--store", mirror.uri().toString(), "download", "models", "--alias", "prod", "-o", "served");
    assertEquals(0, r.code(), r.toString());
    assertArrayEquals(model, Files.readAllBytes(tmp.resolve("served/model.h5")));
  }

  @Test
  void withoutThePluginTheSchemeIsUnknown() throws Exception {
    UnpackedDistribution.Result r = dist.run(dist.launcher(), tmp, user(tmp.resolve("home")),
        "--store", mirror.uri().toString(), "show", "models", "--alias", "prod");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: no storage backend for 'http:' in store location"), r.err());
    assertTrue(r.err().contains("in the plugins/ folder of its installation, in ~/.ama/plugins/ or on AMA_CLASSPATH"),
        r.err());
  }
}
