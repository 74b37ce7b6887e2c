package dev.ama.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, which
 * .ci/run installs), on the seed documents' store: the alias table, a version, the lineage graph
 * expanded and clicked through to the inputs, a diff from the history, a dropped file found.
 * Screenshots go to target/ui-screenshots/.
 */
class DashboardBrowserIT {
  static final Path CHROMIUM = Path.of(System.getProperty("ama.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("ama.chromedriver", "/usr/bin/chromedriver"));
  static final Path SHOTS = Path.of("target", "ui-screenshots");

  @TempDir static Path tmp;
  static SeededStore seed;
  static DashboardServer ui;
  ChromeDriver browser;
  WebDriverWait wait;
  /** Console lines a test expects (the browser logs every 404, even one the page handles). */
  final List<String> expectedConsole = new java.util.ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "no headless browser here: install Debian's chromium and chromium-driver (apt-get install -y chromium"
            + " chromium-driver, as .ci/run does), or point -Dama.chromium and -Dama.chromedriver at them");
    Files.createDirectories(SHOTS);
    seed = new SeededStore(tmp.resolve("seed"));
    ui = DashboardServer.start(seed.client, 0);
  }

  @AfterAll
  static void stop() {
    if (ui != null) {
      ui.close();
      seed.client.close();
    }
  }

  @BeforeEach
  void openBrowser() throws IOException {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900",
        "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(20));
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      // Every page must run within its Content-Security-Policy and without script errors.
      List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
          .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
          .map(LogEntry::getMessage).filter(m -> expectedConsole.stream().noneMatch(m::contains))
          .collect(Collectors.toList());
      browser.quit();
      assertEquals(List.of(), problems, "the browser console reported problems");
    }
  }

  @Test
  void theAliasTableShowsWhereEachAliasPointsAndTheHistoryItsMoves() throws IOException {
    open("#/");
    browser.findElement(By.cssSelector("#type-list a[data-type='rnn_models']")).click();
    view("type");
    WebElement row = browser.findElement(By.cssSelector("#alias-table a[data-alias='my_model']")).findElement(By.xpath("./../.."));
    String text = row.getText();
    assertTrue(text.contains(seed.model1.version().hex().substring(0, 12)), text);
    assertTrue(text.contains("alice"), text);
    assertTrue(text.contains("#3"), text);
    screenshot("ui-aliases");
    browser.findElement(By.id("alias-search")).sendKeys("PRO");
    wait.until(d -> d.findElement(By.id("alias-count")).getText().startsWith("1 alias"));
    assertEquals(1, browser.findElements(By.cssSelector("#alias-table a[data-alias='prod']")).size());
    assertEquals(0, browser.findElements(By.cssSelector("#alias-table a[data-alias='my_model']")).size());

    open("#/history/rnn_models/my_model");
    List<String> kinds = browser.findElements(By.cssSelector("#timeline li")).stream()
        .map(li -> li.getAttribute("data-kind")).toList();
    assertEquals(List.of("rollback", "promotion", "set"), kinds);
    screenshot("ui-history");
    browser.findElement(By.cssSelector("#timeline li[data-kind='promotion'] a.diff-link")).click();
    view("diff");
    String diff = browser.findElement(By.id("diff-changed")).getText();
    assertTrue(diff.contains("model.yml"), diff);
    assertTrue(diff.contains("layers") && diff.contains("2") && diff.contains("3"), diff);
    screenshot("ui-diff");
  }

  @Test
  void aVersionPageShowsItsFilesRefsAndWhoRefsIt() throws IOException {
    open("#/version/" + seed.model1.version().hex());
    assertEquals(seed.model1.version().toString(), browser.findElement(By.id("version-id")).getText());
    assertTrue(browser.findElement(By.id("file-table")).getText().contains("model.h5"));
    assertTrue(browser.findElement(By.id("ref-table")).getText().contains("training_params"));
    assertTrue(browser.findElement(By.id("refby-table")).getText().contains("eval_reports"));
    assertTrue(browser.findElement(By.id("version-aliases")).getText().contains("my_model"));
    screenshot("ui-version");
  }

  @Test
  void theLineageGraphExpandsAndAClickOpensTheInputs() throws IOException {
    open("#/version/" + seed.report.version().hex());
    browser.findElement(By.id("open-graph")).click();
    view("graph");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("graph-depth"))).selectByValue("1");
    view("graph");
    assertEquals(2L, graphNodes(), "one ref away: the report and its model");
    WebElement expand = browser.findElement(By.id("graph-expand"));
    assertTrue(expand.isEnabled(), "the inputs lie beyond depth 1");
    expand.click();
    wait.until(d -> graphNodes() == 3L);
    screenshot("ui-lineage");
    clickNode(seed.inputs1.version().toString());
    view("version");
    assertEquals(seed.inputs1.version().toString(), browser.findElement(By.id("version-id")).getText());
  }

  @Test
  void twoVersionsPickedInTheGraphOpenTheirDiff() {
    open("#/graph/" + seed.model1.version().hex() + "?depth=3&direction=both");
    browser.findElement(By.id("graph-pick")).click();
    clickNode(seed.model1.version().toString());
    clickNode(seed.inputs1.version().toString());
    view("diff");
    String header = browser.findElement(By.id("diff-header")).getText();
    assertTrue(header.contains("rnn_models") && header.contains("training_params"), header);
  }

  @Test
  void aDroppedFileIsHashedInTheBrowserAndItsVersionsListed() throws IOException {
    open("#/");
    String content = Files.readString(seed.modelWeights);
    // What a drag from the file manager delivers: a drop event whose DataTransfer holds the file.
    ((JavascriptExecutor) browser).executeScript(
        "const dt = new DataTransfer();"
            + "dt.items.add(new File([arguments[0]], 'dropped.h5'));"
            + "document.getElementById('main').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));",
        content);
    view("find");
    WebElement found = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("find-table")));
    assertTrue(found.getText().contains(seed.model1.version().hex().substring(0, 12)), found.getText());
    assertTrue(found.getText().contains("model.h5"), found.getText());
    assertTrue(browser.findElement(By.id("find-digest")).getText().contains(sha256(content)));
    screenshot("ui-find");
  }

  @Test
  void theFilePickerIsTheDropsFallback() throws IOException {
    open("#/find");
    Path other = Files.writeString(tmp.resolve("unknown.bin"), "bytes no version holds");
    browser.findElement(By.id("find-file")).sendKeys(other.toString());
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("find-none")));
    browser.findElement(By.id("find-file")).sendKeys(seed.modelWeights.toString());
    WebElement found = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("find-table")));
    assertTrue(found.getText().contains("rnn_models"), found.getText());
  }

  @Test
  void theStaticExportShowsTheSamePagesFromFiles() throws IOException {
    Path site = tmp.resolve("site");
    DashboardExport.write(seed.client, site);
    try (StaticSite web = new StaticSite(site.toAbsolutePath())) {
      browser.get(web.url());
      view("home");
      browser.findElement(By.cssSelector("#type-list a[data-type='rnn_models']")).click();
      view("type");
      assertTrue(browser.findElement(By.id("alias-table")).getText().contains("my_model"));
      browser.get(web.url() + "#/graph/" + seed.report.version().hex() + "?depth=1&direction=both");
      view("graph");
      assertEquals(2L, graphNodes(), "the exported graph trimmed to the depth chosen");
      browser.findElement(By.id("graph-expand")).click();
      wait.until(d -> graphNodes() == 3L);
      clickNode(seed.inputs1.version().toString());
      view("version");
      assertEquals(seed.inputs1.version().toString(), browser.findElement(By.id("version-id")).getText());
      browser.get(web.url() + "#/find");
      view("find");
      browser.findElement(By.id("find-file")).sendKeys(seed.modelWeights.toString());
      WebElement found = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("find-table")));
      assertTrue(found.getText().contains("model.h5"), found.getText());
      // A pair no alias moved between: the export has no file for it, and the page says so.
      expectedConsole.add("/api/diff/" + seed.inputs1.version().hex() + "/" + seed.report.version().hex() + ".json - Failed"
          + " to load resource: the server responded with a status of 404");
      browser.get(web.url() + "#/diff/" + seed.inputs1.version().hex() + "/" + seed.report.version().hex());
      view("diff");
      assertTrue(browser.findElement(By.cssSelector(".error")).getText().contains("holds diffs only for the moves of an alias"));
      screenshot("ui-static");
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Opens a page of the dashboard, first through the printed URL (which sets the cookie). */
  private void open(String hash) {
    if (!browser.getCurrentUrl().startsWith("http://127.0.0.1:" + ui.port())) {
      browser.get(ui.uri().toString());
      view("home");
    }
    browser.get("http://127.0.0.1:" + ui.port() + "/" + hash);
    String page = hash.replaceFirst("^#/?", "").split("[/?]")[0];
    view(page.isEmpty() ? "home" : page);
  }

  /** Waits until the page says it has shown a view of this name. */
  private void view(String name) {
    wait.until(d -> name.equals(((JavascriptExecutor) d).executeScript("return document.body.dataset.view")));
  }

  private long graphNodes() {
    Object n = ((JavascriptExecutor) browser).executeScript("return window.amaGraph ? window.amaGraph.nodes().length : -1");
    return ((Number) n).longValue();
  }

  /** Clicks a node where the graph drew it, as a person would. */
  @SuppressWarnings("unchecked")
  private void clickNode(String id) {
    wait.until(d -> graphNodes() > 0);
    Map<String, Number> at = (Map<String, Number>) ((JavascriptExecutor) browser).executeScript(
        "const n = window.amaGraph.getElementById(arguments[0]); const p = n.renderedPosition();"
            + "const r = window.amaGraph.container().getBoundingClientRect();"
            + "return {x: Math.round(r.left + p.x), y: Math.round(r.top + p.y)};", id);
    new Actions(browser).moveToLocation(at.get("x").intValue(), at.get("y").intValue()).click().perform();
  }

  /** The page's content, without the header (which names the test's temporary store). */
  private void screenshot(String name) throws IOException {
    Files.write(SHOTS.resolve(name + ".png"), browser.findElement(By.id("main")).getScreenshotAs(OutputType.BYTES));
  }

  private static String sha256(String text) {
    return dev.ama.Digest.sha256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hex();
  }
}
