package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AliasEntry;
import dev.ama.AssetFile;
import dev.ama.AssetVersion;
import dev.ama.Digest;
import dev.ama.LineageGraph;
import dev.ama.Ref;
import dev.ama.VersionSignature;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/** The JSON and text shapes of versions and alias entries, shared by the commands that print them. */
final class Views {
  private Views() {}

  /**
   * A version as JSON: {@code type, alias, version, by, at, description, labels, size, files[path,
   * size, digest], refs[type, alias, version]}. Absent values are {@code null}.
   */
  static ObjectNode version(AssetVersion v) {
    ObjectNode node = Format.object();
    node.put("type", v.type());
    node.put("alias", v.alias().orElse(null));
    node.put("version", v.version().toString());
    node.put("by", v.createdBy());
    node.put("at", Format.time(v.createdAt()));
    node.put("description", v.description().orElse(null));
    ObjectNode labels = node.putObject("labels");
    new TreeMap<>(v.labels()).forEach(labels::put);
    node.put("size", v.size());
    ArrayNode files = node.putArray("files");
    for (AssetFile f : v.files()) {
      files.addObject().put("path", f.path()).put("size", f.size()).put("digest", f.digest().toString());
    }
    ArrayNode refs = node.putArray("refs");
    for (Ref r : v.refs()) {
      refs.addObject().put("type", r.type()).put("alias", r.alias().orElse(null)).put("version", r.version().toString());
    }
    return node;
  }

  /**
   * A version's signatures as JSON, as {@code show}, {@code upload} and {@code download} print
   * them: {@code [{keyId, name, status: valid|invalid|unknown-key}]}; {@code name} is {@code null}
   * for a key the trust policy does not know.
   */
  static ArrayNode signatures(List<VersionSignature> signatures) {
    ArrayNode out = Format.array();
    for (VersionSignature s : signatures) {
      ObjectNode n = out.addObject();
      n.put("keyId", s.keyId());
      n.put("name", s.keyName().orElse(null));
      n.put("status", s.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    return out;
  }

  /**
   * An alias entry as JSON: {@code type, alias, seq, version, removed, by, at, previous}; a removal
   * has {@code removed: true} and {@code version: null}.
   */
  static ObjectNode entry(AliasEntry e) {
    ObjectNode node = Format.object();
    node.put("type", e.type());
    node.put("alias", e.alias());
    node.put("seq", e.seq());
    node.put("version", e.target().map(Object::toString).orElse(null));
    node.put("removed", e.removed());
    node.put("by", e.by());
    node.put("at", Format.time(e.at()));
    node.put("previous", e.previous().map(Object::toString).orElse(null));
    return node;
  }

  /**
   * A lineage graph as JSON: {@code root, direction, truncated, nodes[version, type, aliases,
   * depth, by, at], edges[from, to, alias]}; an edge's alias is {@code null} for a ref by digest.
   */
  static ObjectNode lineage(LineageGraph graph) {
    ObjectNode node = Format.object();
    node.put("root", graph.root().version().toString());
    node.put("direction", graph.direction().name().toLowerCase(Locale.ROOT));
    node.put("truncated", graph.truncated());
    ArrayNode nodes = node.putArray("nodes");
    for (LineageGraph.Node n : graph.nodes()) {
      ObjectNode o = nodes.addObject();
      o.put("version", n.version().version().toString());
      o.put("type", n.version().type());
      n.aliases().forEach(o.putArray("aliases")::add);
      o.put("depth", n.depth());
      o.put("by", n.version().createdBy());
      o.put("at", Format.time(n.version().createdAt()));
    }
    ArrayNode edges = node.putArray("edges");
    for (LineageGraph.Edge e : graph.edges()) {
      edges.addObject().put("from", e.from().toString()).put("to", e.to().toString()).put("alias", e.alias().orElse(null));
    }
    return node;
  }

  /** The version column of an alias entry in tables: the short id, or {@code (removed)}. */
  static String target(AliasEntry e) {
    return e.target().map(Views::shortId).orElse(REMOVED);
  }

  /** How tables show a removal entry, which points at no version. */
  static final String REMOVED = "(removed)";

  /** {@code sha256:<12 hex digits>}, for tables. */
  static String shortId(Digest id) {
    return id.algorithm() + ":" + id.shortHex();
  }

  /** A version for people: header lines, then files and refs as aligned tables. */
  static void printVersion(PrintWriter out, AssetVersion v, String name) {
    out.println(TerminalText.safe(name));
    out.println("version:     " + v.version());
    out.println(TerminalText.safe("created:     " + Format.time(v.createdAt()) + " by " + v.createdBy()));
    v.description().ifPresent(d -> out.println(TerminalText.safe("description: " + d)));
    if (!v.labels().isEmpty()) {
      out.println(TerminalText.safe("labels:      " + String.join(", ",
          new TreeMap<>(v.labels()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())));
    }
    out.println("files:       " + v.files().size() + " (" + Format.size(v.size()) + ")");
    Format.Table files = new Format.Table();
    for (AssetFile f : v.files()) {
      files.row(f.path(), Format.size(f.size()), f.digest().toString());
    }
    files.print(out, "  ");
    if (!v.refs().isEmpty()) {
      out.println("refs:");
      Format.Table refs = new Format.Table();
      for (Ref r : v.refs()) {
        refs.row(r.type() + r.alias().map(a -> "/" + a).orElse(""), r.version().toString());
      }
      refs.print(out, "  ");
    }
  }
}
