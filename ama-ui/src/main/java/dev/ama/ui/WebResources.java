package dev.ama.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The page's files, read from the jar. A name is looked up, never resolved as a path: the page's
 * own files are one flat folder of plain names, and the graph libraries are a fixed list, so no
 * request ({@code ../}, {@code %2e%2e}, an absolute path) can name any other resource.
 */
final class WebResources {
  /** The page's own files: one folder, no subfolders, so a name can hold no path. */
  private static final Pattern OWN = Pattern.compile("[a-z][a-z0-9-]*\\.(html|js|css|png|svg)");
  private static final String OWN_FOLDER = "dev/ama/ui/web/";
  /** The page's own files, for the export (a jar's folder cannot be listed portably). */
  private static final List<String> PAGE = List.of("index.html", "app.js", "api.js", "views.js", "style.css", "favicon.svg");

  /**
   * Served name → resource of the WebJars the build depends on; their versions come from
   * ama-ui/pom.xml (webjars.properties is filtered), so upgrading one is a one-line change.
   */
  private static final Map<String, String> VENDOR = vendor();

  /** A served file: its bytes and content type. */
  record Resource(String name, byte[] bytes, String contentType) {}

  private WebResources() {}

  /** The file a request path (without its leading slash) names, if it is one of the page's. */
  static Optional<Resource> find(String name) {
    String resource = VENDOR.get(name);
    if (resource == null) {
      if (!OWN.matcher(name).matches()) {
        return Optional.empty();
      }
      resource = OWN_FOLDER + name;
    }
    try (InputStream in = WebResources.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.of(new Resource(name, in.readAllBytes(), contentType(name)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboard's " + resource + " from its jar", e);
    }
  }

  /** The page's mode, in its {@code <meta name="ama-mode">}: asking the server, or reading exported files. */
  static final String LIVE = "live";
  static final String STATIC = "static";
  private static final String MODE_META = "<meta name=\"ama-mode\" content=\"live\">";

  /** index.html for a mode: the one page both the server and the export serve. */
  static byte[] indexPage(String mode) {
    String page = new String(find("index.html").orElseThrow().bytes(), StandardCharsets.UTF_8);
    if (!page.contains(MODE_META)) {
      throw new IllegalStateException("index.html lost its " + MODE_META);
    }
    return page.replace(MODE_META, "<meta name=\"ama-mode\" content=\"" + mode + "\">").getBytes(StandardCharsets.UTF_8);
  }

  /** Every file the page needs, for the static export. */
  static List<String> pageFiles() {
    return Stream.concat(PAGE.stream(), VENDOR.keySet().stream().sorted()).toList();
  }

  private static Map<String, String> vendor() {
    Properties versions = new Properties();
    try (InputStream in = WebResources.class.getResourceAsStream("webjars.properties")) {
      versions.load(Objects.requireNonNull(in, "webjars.properties is missing from the ama-ui jar"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read webjars.properties from the ama-ui jar", e);
    }
    String root = "META-INF/resources/webjars/";
    return Map.of(
        "vendor/cytoscape.min.js", root + "cytoscape/" + versions.getProperty("cytoscape") + "/dist/cytoscape.min.js",
        "vendor/dagre.min.js", root + "dagre/" + versions.getProperty("dagre") + "/dist/dagre.min.js",
        "vendor/cytoscape-dagre.js", root + "cytoscape-dagre/" + versions.getProperty("cytoscape-dagre") + "/cytoscape-dagre.js");
  }

  private static String contentType(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "js" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "png" -> "image/png";
      case "svg" -> "image/svg+xml";
      default -> "application/octet-stream";
    };
  }
}
