package dev.ama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The versions connected to one version through refs, from {@link AssetClient#lineage}: upstream
 * (what it was made from, transitively) or downstream (what was made from it). Renders as text,
 * JSON, Graphviz DOT and Mermaid.
 *
 * @param root the version the walk started from
 * @param direction which way the walk went
 * @param nodes every version reached, the root first, each with its distance from the root
 * @param edges every ref between them; {@code from} refs {@code to}
 * @param truncated whether the depth limit stopped the walk before it ran out of refs
 */
public record LineageGraph(
    AssetVersion root, Direction direction, List<Node> nodes, List<Edge> edges, boolean truncated) {

  /** Which way to follow refs. */
  public enum Direction {
    /** To the versions a version was made from. */
    UPSTREAM,
    /** To the versions made from a version. */
    DOWNSTREAM
  }

  /**
   * One version in the graph.
   *
   * @param version the version
   * @param aliases aliases of its type pointing at it now
   * @param depth refs between it and the root
   */
  public record Node(AssetVersion version, List<String> aliases, int depth) {
    /** Copies the list. */
    public Node {
      aliases = List.copyOf(aliases);
    }

    /** {@code type/alias@short} or {@code type@short}. */
    public String label() {
      return version.type() + (aliases.isEmpty() ? "" : "/" + String.join(",", aliases)) + "@" + version.version().shortHex();
    }
  }

  /**
   * A ref: {@code from} was made from {@code to}.
   *
   * @param from the referring version
   * @param to the referenced version
   * @param alias the alias the ref was resolved from, if any
   */
  public record Edge(Digest from, Digest to, Optional<String> alias) {}

  /** Copies the lists. */
  public LineageGraph {
    nodes = List.copyOf(nodes);
    edges = List.copyOf(edges);
  }

  /** An indented tree, the root first, with times as {@link Instant#toString}. */
  public String toText() {
    return toText(Instant::toString);
  }

  /**
   * An indented tree, the root first.
   *
   * @param time how each version's upload time is shown, such as to the millisecond
   */
  public String toText(Function<Instant, String> time) {
    Map<Digest, Node> byId = byId();
    StringBuilder sb = new StringBuilder();
    appendText(sb, nodes.get(0), byId, "", new ArrayList<>(), time);
    if (truncated) {
      sb.append("(more beyond the depth limit)\n");
    }
    return sb.toString();
  }

  private void appendText(StringBuilder sb, Node node, Map<Digest, Node> byId, String indent, List<Digest> path,
      Function<Instant, String> time) {
    Node n = node;
    sb.append(indent).append(n.label()).append("  ").append(n.version().createdBy()).append("  ")
        .append(time.apply(n.version().createdAt())).append('\n');
    if (path.contains(n.version().version())) {
      return;
    }
    path.add(n.version().version());
    for (Edge e : edges) {
      Digest next = direction == Direction.UPSTREAM ? (e.from().equals(n.version().version()) ? e.to() : null)
          : (e.to().equals(n.version().version()) ? e.from() : null);
      if (next != null && byId.containsKey(next)) {
        appendText(sb, byId.get(next), byId, indent + (direction == Direction.UPSTREAM ? "  <- " : "  -> "), path, time);
      }
    }
    path.remove(path.size() - 1);
  }

  private Map<Digest, Node> byId() {
    Map<Digest, Node> m = new HashMap<>();
    nodes.forEach(n -> m.put(n.version().version(), n));
    return m;
  }

  /** Stable JSON: root, direction, nodes (version, type, aliases, depth, by, at), edges; the field names of the CLI's JSON. */
  public String toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("root", this.root.version().toString());
    root.put("direction", direction.name().toLowerCase());
    root.put("truncated", truncated);
    ArrayNode ns = root.putArray("nodes");
    for (Node n : nodes) {
      ObjectNode o = ns.addObject();
      o.put("version", n.version().version().toString());
      o.put("type", n.version().type());
      ArrayNode a = o.putArray("aliases");
      n.aliases().forEach(a::add);
      o.put("depth", n.depth());
      o.put("by", n.version().createdBy());
      o.put("at", n.version().createdAt().toString());
    }
    ArrayNode es = root.putArray("edges");
    for (Edge e : edges) {
      ObjectNode o = es.addObject();
      o.put("from", e.from().toString());
      o.put("to", e.to().toString());
      e.alias().ifPresent(a -> o.put("alias", a));
    }
    return new String(Manifests.canonical(root), StandardCharsets.UTF_8);
  }

  /** Graphviz DOT; render with {@code dot -Tsvg}. Arrows point from a version to what it was made from. */
  public String toDot() {
    StringBuilder sb = new StringBuilder("digraph lineage {\n  rankdir=LR;\n  node [shape=box];\n");
    for (Node n : nodes) {
      sb.append("  \"").append(n.version().version().hex()).append("\" [label=\"")
          .append(escape(n.label())).append("\"").append(n == nodes.get(0) ? ", style=bold" : "").append("];\n");
    }
    for (Edge e : edges) {
      sb.append("  \"").append(e.from().hex()).append("\" -> \"").append(e.to().hex()).append("\"");
      e.alias().ifPresent(a -> sb.append(" [label=\"").append(escape(a)).append("\"]"));
      sb.append(";\n");
    }
    return sb.append("}\n").toString();
  }

  /** A Mermaid flowchart, which GitHub and many wikis render inline. */
  public String toMermaid() {
    StringBuilder sb = new StringBuilder("graph LR\n");
    for (Node n : nodes) {
      sb.append("  v").append(n.version().version().shortHex()).append("[\"").append(n.label().replace("\"", "'")).append("\"]\n");
    }
    for (Edge e : edges) {
      sb.append("  v").append(e.from().shortHex()).append(" -->");
      e.alias().ifPresent(a -> sb.append("|").append(a).append("|"));
      sb.append(" v").append(e.to().shortHex()).append('\n');
    }
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
