package dev.ama.cli;

import dev.ama.AssetClient;
import dev.ama.ui.DashboardExport;
import dev.ama.ui.DashboardServer;
import java.awt.Desktop;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "ui",
    mixinStandardHelpOptions = true,
    description = {
      "Browse the store in a web dashboard: asset types and aliases, versions, alias history, the lineage graph,"
          + " diffs, and find by content.",
      "",
      "Serves a read-only dashboard on 127.0.0.1 and prints its URL, with a random access token in it (as Jupyter"
          + " does): any request without the token, to any path, gets 401 and no data, so other users of this"
          + " machine cannot read the store through it. Runs until Ctrl-C. With --export, writes the same pages as a"
          + " static site instead (the answers as JSON files), to publish without a server.",
      ""
    },
    footer = {
      "%nThe URL is the one line on stdout. A file dropped on the page is hashed in the browser; it never leaves"
          + " the machine. See docs/ui.md.",
      "%nExamples:",
      "  ama ui",
      "  ama ui --port 8765 --open",
      "  ama ui --export site/ --store s3://bucket/models"
    })
final class UiCommand extends AmaCommand {
  @Option(names = "--port", paramLabel = "N", defaultValue = "0",
      description = "The port on 127.0.0.1 (default: ${DEFAULT-VALUE}, a free one).")
  int port;

  @Option(names = "--open", description = "Open the dashboard in the default browser too.")
  boolean open;

  @Option(names = "--export", paramLabel = "DIR", description = "Write the dashboard as a static site into DIR (new,"
      + " empty, or an earlier export) and exit; serves nothing.")
  Path export;

  @Override
  public Integer call() {
    if (export != null) {
      if (open || port != 0) {
        throw usage("--export writes files and serves nothing; leave out --port and --open");
      }
      return export();
    }
    try (AssetClient client = openClient(); DashboardServer ui = DashboardServer.start(client, port)) {
      out().println(ui.uri());
      out().flush();
      if (open) {
        openBrowser(ui.uri());
      }
      awaitStop(ui);
    }
    return ExitCodes.OK;
  }

  private int export() {
    Path dir = workDir().resolve(export);
    DashboardExport.Result result;
    try (AssetClient client = openClient()) {
      result = DashboardExport.write(client, dir);
    }
    info("exported " + result.versions() + " version(s) of " + result.types() + " asset type(s), " + result.files()
        + " files, to " + display(dir) + "; publish the folder on any web server and open index.html there");
    return ExitCodes.OK;
  }

  /**
   * Serves until Ctrl-C (the shutdown hook stops the server before the JVM exits) or until this
   * thread is interrupted, as an embedding program or a test may do.
   */
  private void awaitStop(DashboardServer ui) {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      ui.close();
      stopped.countDown();
    }, "ama-ui-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: it stops the server; give it a moment to finish.
        awaitQuietly(stopped);
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Opens the URL in a browser if this machine can; the dashboard is served either way. */
  private void openBrowser(URI uri) {
    try {
      if (Desktop.isDesktopSupported() && Desktop.getDesktop().isSupported(Desktop.Action.BROWSE)) {
        Desktop.getDesktop().browse(uri);
        return;
      }
    } catch (IOException | RuntimeException e) {
      // A headless machine, or no default browser: try the platform's opener below.
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String opener = os.contains("mac") ? "open" : os.contains("win") ? "explorer" : "xdg-open";
    try {
      new ProcessBuilder(opener, uri.toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException | RuntimeException e) {
      cli().err().println("ama ui: could not open a browser (" + opener + ": " + e.getMessage() + "); open the URL above");
      cli().err().flush();
    }
  }
}
