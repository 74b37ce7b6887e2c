package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.InvalidInputException;
import dev.ama.TransferSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the store, user and cache come from. */
class SettingsTest {
  @TempDir Path tmp;

  Map<String, String> env = new HashMap<>();

  Settings settings() {
    return new Settings(tmp.resolve("work"), env);
  }

  void config(String yaml) throws IOException {
    Files.createDirectories(tmp.resolve("home/.ama"));
    Files.writeString(tmp.resolve("home/.ama/config.yml"), yaml);
  }

  @Test
  void flagBeatsEnvironmentBeatsConfigBeatsDefault() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    assertEquals(new Settings.Value(tmp.resolve("home/.ama/store").toString(), "default"), settings().store(Optional.empty()));
    config("store: s3://bucket/from-config\n");
    assertEquals("s3://bucket/from-config", settings().store(Optional.empty()).value());
    env.put("AMA_STORE", "gs://bucket/from-env");
    assertEquals(new Settings.Value("gs://bucket/from-env", "AMA_STORE"), settings().store(Optional.empty()));
    assertEquals(new Settings.Value("mem:flag", "--store"), settings().store(Optional.of("mem:flag")));
  }

  @Test
  void relativeStorePathsStartAtTheWorkingFolderAndTildeAtHome() {
    env.put("HOME", tmp.resolve("home").toString());
    assertEquals(tmp.resolve("work/store").toString(), settings().store(Optional.of("./store")).value());
    assertEquals(tmp.resolve("elsewhere").toString(), settings().store(Optional.of("../elsewhere")).value());
    assertEquals(tmp.resolve("home/stores/a").toString(), settings().store(Optional.of("~/stores/a")).value());
  }

  @Test
  void relativeStoreInTheConfigFileStartsAtItsFolder() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    config("store: shared-store\n");
    assertEquals(tmp.resolve("home/.ama/shared-store").toString(), settings().store(Optional.empty()).value());
  }

  @Test
  void brokenConfigFileIsNamedWithTheFix() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    config("store: [unclosed\n");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> settings().store(Optional.empty()));
    assertTrue(e.getMessage().startsWith("cannot read the config file " + tmp.resolve("home/.ama/config.yml")), e.getMessage());
    assertTrue(e.getMessage().endsWith("or remove it"), e.getMessage());
  }

  @Test
  void configFileWithoutStoreFallsBackToTheDefault() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    config("# nothing yet\n");
    assertEquals("default", settings().store(Optional.empty()).origin());
  }

  @Test
  void withoutHomeOrStoreTheMessageSaysWhatToSet() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> settings().store(Optional.empty()));
    assertTrue(e.getMessage().contains("give --store PATH_OR_URI or set AMA_STORE"), e.getMessage());
  }

  @Test
  void userComesFromFlagThenAmaUserThenOsUser() {
    assertEquals(Optional.empty(), settings().user(Optional.empty()));
    env.put("USER", "os-user");
    assertEquals(Optional.of("os-user"), settings().user(Optional.empty()));
    env.put("AMA_USER", "ama-user");
    assertEquals(Optional.of("ama-user"), settings().user(Optional.empty()));
    assertEquals(Optional.of("flag-user"), settings().user(Optional.of("flag-user")));
  }

  @Test
  void cacheComesFromAmaCacheThenHome() {
    env.put("HOME", tmp.resolve("home").toString());
    assertEquals(tmp.resolve("home/.cache/ama"), settings().cache());
    env.put("AMA_CACHE", tmp.resolve("c").toString());
    assertEquals(tmp.resolve("c"), settings().cache());
  }

  @Test
  void storeOptionWorksBeforeAndAfterTheCommandName() throws IOException {
    Ama ama = new Ama(tmp.resolve("cli"));
    ama.env.remove("AMA_STORE");
    assertTrue(ama.ok("--store", "mem:before", "status").out().startsWith("store:  mem:before (--store)"));
    assertTrue(ama.ok("status", "--store", "mem:after").out().startsWith("store:  mem:after (--store)"));
  }

  // ---- transfer tuning ----

  static final String CONFIG = "'%s' in %s";

  String fromConfig(String key) {
    return String.format(CONFIG, key, tmp.resolve("home/.ama/config.yml"));
  }

  @Test
  void transfersComeFromFlagThenEnvironmentThenConfigThenDefaults() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    Settings.Transfers defaults = settings().transfers(Optional.empty(), Optional.empty());
    assertEquals(new Settings.Transfers(TransferSettings.DEFAULTS, "default", "default"), defaults);

    config("store: mem:x\nconcurrency: 4\npart_size: 16MiB\n");
    Settings.Transfers configured = settings().transfers(Optional.empty(), Optional.empty());
    assertEquals(4, configured.settings().concurrency());
    assertEquals(16 * 1024 * 1024, configured.settings().partSize());
    assertEquals(fromConfig("concurrency"), configured.concurrencyOrigin());
    assertEquals(fromConfig("part_size"), configured.partSizeOrigin());
    assertEquals(TransferSettings.DEFAULTS.rangeParallelism(), configured.settings().rangeParallelism());

    env.put("AMA_CONCURRENCY", "8");
    env.put("AMA_PART_SIZE", "1048576");
    Settings.Transfers fromEnv = settings().transfers(Optional.empty(), Optional.empty());
    assertEquals(new Settings.Transfers(new TransferSettings(8, 1024 * 1024, 4), "AMA_CONCURRENCY", "AMA_PART_SIZE"),
        fromEnv);

    Settings.Transfers flags = settings().transfers(Optional.of(2), Optional.of(64L * 1024));
    assertEquals(new Settings.Transfers(new TransferSettings(2, 64 * 1024, 4), "--concurrency", "--part-size"), flags);

    // Each setting falls through on its own.
    env.remove("AMA_PART_SIZE");
    Settings.Transfers mixed = settings().transfers(Optional.of(3), Optional.empty());
    assertEquals(3, mixed.settings().concurrency());
    assertEquals(fromConfig("part_size"), mixed.partSizeOrigin());
  }

  @Test
  void partSizesAreBytesOrPowerOf1024Units() {
    assertEquals(8L * 1024 * 1024, Settings.partSize("8MiB", "test"));
    assertEquals(64L * 1024, Settings.partSize("64KiB", "test"));
    assertEquals(1048576L, Settings.partSize("1048576", "test"));
    assertEquals(1048576L, Settings.partSize("1048576B", "test"));
    assertEquals(8L * 1024 * 1024, Settings.partSize(" 8 mib ", "test"));
    assertEquals(1024L * 1024 * 1024, Settings.partSize("1GiB", "test"));
  }

  @Test
  void partSizesFollowTheRuleOfStoreOptionsSoOneSizeHasManySpellings() {
    for (String same : new String[] {"8MB", "8MiB", "8m", "8M", "8 M", "8mb", "8388608", "8388608B", "8192KB", "8192k"}) {
      assertEquals(8L * 1024 * 1024, Settings.partSize(same, "test"), same);
      assertEquals(dev.ama.spi.StorageOptions.parseSize(same), Settings.partSize(same, "test"), same);
    }
    assertEquals(1024L * 1024 * 1024, Settings.partSize("1GB", "test"));
    assertEquals(1024L * 1024 * 1024, Settings.partSize("1g", "test"));
  }

  @Test
  void badPartSizesNameTheOriginAndTheAcceptedForms() {
    for (String bad : new String[] {"8MBs", "8 M B", "abc", "", "-1", "1.5MiB", "8 apples"}) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> Settings.partSize(bad, "AMA_PART_SIZE"));
      assertEquals("invalid part size '" + bad + "' (from AMA_PART_SIZE): give a size such as 8MiB, 64KiB, 1GiB or"
          + " 1048576 (bytes); units are B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T/TB/TiB, all powers of 1024", e.getMessage(),
          bad);
    }
    for (String outOfRange : new String[] {"1KiB", "65535", "2GiB", "2GB", "1TiB", "9999999999999999999",
        "99999999999999999999GiB"}) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> Settings.partSize(outOfRange, "--part-size"));
      assertEquals("invalid part size '" + outOfRange + "' (from --part-size): it must be from 64KiB to 1GiB, such as"
          + " 8MiB, 64KiB, 1GiB or 1048576 (bytes)", e.getMessage(), outOfRange);
    }
  }

  @Test
  void badConcurrencyNamesTheOriginAndTheRange() {
    for (String bad : new String[] {"0", "257", "x", "1.5", ""}) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> Settings.concurrency(bad, "AMA_CONCURRENCY"));
      assertEquals("invalid concurrency '" + bad + "' (from AMA_CONCURRENCY): give a whole number from 1 to 256, such as 8",
          e.getMessage());
    }
    assertEquals(256, Settings.concurrency("256", "test"));
  }

  @Test
  void badTransferSettingsInTheConfigFileNameTheKeyAndTheFile() throws IOException {
    env.put("HOME", tmp.resolve("home").toString());
    config("part_size: 10 apples\n");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> settings().transfers(Optional.empty(), Optional.empty()));
    assertTrue(e.getMessage().startsWith("invalid part size '10 apples' (from " + fromConfig("part_size") + ")"),
        e.getMessage());
    config("concurrency: [1, 2]\n");
    InvalidInputException list = assertThrows(InvalidInputException.class,
        () -> settings().transfers(Optional.empty(), Optional.empty()));
    assertEquals("'concurrency' in the config file " + tmp.resolve("home/.ama/config.yml")
        + " must be a single value, such as 'concurrency: 8'", list.getMessage());
    config("part_size: 1048576\n");
    assertEquals(1048576, settings().transfers(Optional.empty(), Optional.empty()).settings().partSize(),
        "a YAML number is bytes");
  }

  @Test
  void transferOptionsWorkOnTheCommandLine() throws IOException {
    Ama ama = new Ama(tmp.resolve("cli"));
    ama.env.put("AMA_PART_SIZE", "16MiB");
    assertTrue(ama.ok("status").out().contains(
        "transfers: 16 files at once (default), parts of 16.0 MiB (AMA_PART_SIZE)"), ama.ok("status").out());
    assertTrue(ama.ok("--concurrency", "2", "status", "--part-size", "64KiB").out().contains(
        "transfers: 2 files at once (--concurrency), parts of 64.0 KiB (--part-size)"));

    assertTrue(ama.ok("status", "--part-size", "8MB").out().contains("parts of 8.0 MiB (--part-size)"),
        "8MB is 8 MiB, as in every store option");
    Ama.Result flag = ama.run("status", "--part-size", "8MB/s");
    assertEquals(2, flag.code(), flag.toString());
    assertEquals("ama: invalid part size '8MB/s' (from --part-size): give a size such as 8MiB, 64KiB, 1GiB or 1048576"
        + " (bytes); units are B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T/TB/TiB, all powers of 1024 (see 'ama --help')\n",
        flag.err());
    Ama.Result zero = ama.run("--concurrency", "0", "ls");
    assertEquals(2, zero.code(), zero.toString());
    assertTrue(zero.err().startsWith("ama: invalid concurrency '0' (from --concurrency)"), zero.err());

    ama.env.put("AMA_CONCURRENCY", "many");
    Ama.Result fromEnv = ama.run("ls");
    assertEquals(4, fromEnv.code(), fromEnv.toString());
    assertEquals("ama: invalid concurrency 'many' (from AMA_CONCURRENCY): give a whole number from 1 to 256, such as 8\n",
        fromEnv.err());
    assertTrue(ama.ok("status").out().contains("transfers: (invalid) invalid concurrency 'many'"),
        "status still shows the stage and says what is wrong");
  }

  @Test
  void bothCloudStoresRefuseAKeyWithoutAValueAlikeAndSayTheFix() {
    Ama ama = new Ama(tmp.resolve("cli"));
    Ama.Result s3 = ama.run("--store", "s3://bkt/p?region=eu-west-1&anonymous", "ls");
    Ama.Result gcs = ama.run("--store", "gs://bkt/p?host=http://127.0.0.1:1&anonymous", "ls");
    assertEquals(s3.code(), gcs.code(), s3 + "\n" + gcs);
    assertTrue(s3.code() != 0, s3.toString());
    assertTrue(s3.err().contains("S3 store s3://bkt/p: option 'anonymous' in the URI's query has no value; write"
        + " anonymous=VALUE, such as anonymous=true for a switch"), s3.err());
    assertEquals(s3.err().replace("S3 store s3://", "STORE "), gcs.err().replace("GCS store gs://", "STORE "));
  }

  @Test
  void smallPartsAndOneThreadStillMoveALargeFileIntact() throws IOException {
    Ama ama = new Ama(tmp.resolve("cli"));
    byte[] content = new byte[1024 * 1024 + 123];
    new java.util.Random(7).nextBytes(content);
    Ama.write(ama.work, "big.bin", content);
    ama.ok("init", "models");
    ama.ok("add", "big.bin");
    ama.ok("set", "--alias", "big");
    ama.ok("--concurrency", "1", "--part-size", "64KiB", "upload");
    ama.ok("download", "models", "--alias", "big", "-o", "one", "--concurrency", "1", "--part-size", "64KiB");
    ama.ok("download", "models", "--alias", "big", "-o", "many", "--concurrency", "4", "--part-size", "64KiB");
    org.junit.jupiter.api.Assertions.assertArrayEquals(content, Files.readAllBytes(ama.work.resolve("one/big.bin")));
    org.junit.jupiter.api.Assertions.assertArrayEquals(content, Files.readAllBytes(ama.work.resolve("many/big.bin")));
  }
}
