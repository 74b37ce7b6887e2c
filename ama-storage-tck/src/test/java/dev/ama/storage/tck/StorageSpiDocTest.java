package dev.ama.storage.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/storage-spi.md against the suites: its table of statements and tests names exactly the
 * tests of {@link StorageContract} and {@link AliasUpdateContract}, and every test named in
 * brackets elsewhere in the page exists, so the specification and the suite cannot drift apart.
 */
class StorageSpiDocTest {
  private static final Path DOC = Path.of("..", "docs", "storage-spi.md");
  private static final String TABLE = "## 9. The contract, statement by statement";
  private static final Pattern ROW = Pattern.compile("^\\| (.+) \\| `([A-Za-z0-9]+)` \\|$");
  private static final Pattern NAMED = Pattern.compile("`([a-z][A-Za-z0-9]{15,})`");

  @Test
  void theTableNamesEveryContractTestAndOnlyThose() throws IOException {
    List<String> rows = new ArrayList<>();
    for (String line : tableLines()) {
      Matcher m = ROW.matcher(line);
      assertTrue(m.matches() || line.startsWith("| statement ") || line.startsWith("| ---"),
          "a row of the table in " + DOC + " is not '| statement | `testName` |': " + line);
      if (m.matches()) {
        rows.add(m.group(2));
      }
    }
    Set<String> tests = contractTests();
    assertEquals(new TreeSet<>(tests), new TreeSet<>(rows),
        "the table '" + TABLE + "' in " + DOC + " must name each contract test once: add a row for a new"
            + " test, remove the row of a removed one");
    assertEquals(rows.size(), new TreeSet<>(rows).size(), "a test is named in two rows: " + rows);
  }

  @Test
  void everyTestNamedInThePageExists() throws IOException {
    Set<String> tests = contractTests();
    String page = Files.readString(DOC, StandardCharsets.UTF_8);
    Set<String> missing = new TreeSet<>();
    // A contract test's name is a long lower-camel-case word in backticks; so are few other things.
    Matcher m = NAMED.matcher(page);
    while (m.find()) {
      String name = m.group(1);
      if (looksLikeATest(name) && !tests.contains(name)) {
        missing.add(name);
      }
    }
    assertEquals(Set.of(), missing, DOC + " names tests the suites do not have; rename them to the test's name");
  }

  private static boolean looksLikeATest(String name) {
    return !name.startsWith("dev") && !name.contains(".") && Character.isLowerCase(name.charAt(0))
        && name.chars().filter(Character::isUpperCase).count() >= 3;
  }

  private static List<String> tableLines() throws IOException {
    List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    int start = lines.indexOf(TABLE);
    assertTrue(start >= 0, DOC + " has no section '" + TABLE + "'");
    List<String> table = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("#") || line.equals("---")) {
        break;
      }
      if (line.startsWith("|")) {
        table.add(line);
      }
    }
    assertTrue(table.size() > 2, "the section '" + TABLE + "' of " + DOC + " has no table");
    return table;
  }

  private static Set<String> contractTests() {
    return Stream.of(StorageContract.class, AliasUpdateContract.class)
        .flatMap(c -> Stream.of(c.getDeclaredMethods()))
        .filter(m -> m.isAnnotationPresent(Test.class))
        .map(Method::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
