package dev.ama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake between writers that reuse objects already in the store and garbage collection,
 * which may be deleting exactly those objects (docs/gc.md, "the reuse race").
 *
 * <p>A writer first writes a lease naming every existing manifest and blob it is about to rely on,
 * then lists the gc plans. A gc run first writes its plan naming what it may delete, then lists
 * the leases. With a store whose listings show every object written before the listing began,
 * at least one side sees the other: the gc spares what the lease names, or the writer sees the
 * plan and stops before relying on anything it names. Only then does the writer check that the
 * objects exist, so an object removed by a gc that already finished is not relied on either.
 *
 * <p>All times here are the store's: a plan's age is the difference of two modification times the
 * store reported, never this machine's clock against the store's.
 */
final class Leases {
  private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
  /**
   * How long after its plan was stored a gc run may delete. A plan older than this is dead (its run
   * stopped deleting or was killed), so writers ignore it and the next gc removes it.
   */
  static final Duration PLAN_TTL = Duration.ofHours(1);
  /** What a gc run keeps in hand before {@link #PLAN_TTL}: request latency and clock-rate error. */
  static final Duration PLAN_MARGIN = Duration.ofMinutes(10);

  private final Store store;
  private final String user;
  private final Clock clock;

  Leases(Store store, String user, Clock clock) {
    this.store = store;
    this.user = user;
    this.clock = clock;
  }

  /**
   * A lease held by a writer. Closing it does nothing: a lease protects what it names for the grace
   * period, after which gc ignores and removes it.
   */
  interface Lease extends AutoCloseable {
    @Override
    void close();

    /**
     * The leased packs that a live gc plan may delete or repack: the writer must not rely on a
     * location in them (it sends those blobs again). Empty for a writer that leased no packs.
     */
    default Set<Digest> doomedPacks() {
      return Set.of();
    }
  }

  private static final Lease NONE = () -> {};

  /**
   * Digests named by a lease or a plan. {@code packs} (format 2): a lease names the packs whose
   * locations the writer may rely on, a plan the packs it may delete or repack, and the packs whose
   * forwarding objects it may delete.
   */
  record Named(Set<Digest> manifests, Set<Digest> blobs, Set<Digest> packs) {
    Named(Set<Digest> manifests, Set<Digest> blobs) {
      this(manifests, blobs, Set.of());
    }

    boolean isEmpty() {
      return manifests.isEmpty() && blobs.isEmpty() && packs.isEmpty();
    }
  }

  /** A gc run's plan as stored: its key, the store's time of writing it, and what it may delete. */
  record Plan(String key, Instant storedAt, String by, Named doomed) {}

  /**
   * Leases the existing objects a write will rely on, then checks that no live gc plan may delete
   * any of them.
   *
   * @param what the write, in the user's words, for the error message ("this upload")
   * @throws StoreException if a live gc plan names one of them; nothing was relied on yet
   */
  Lease acquire(String what, Collection<Digest> manifests, Collection<Digest> blobs) {
    return acquire(what, manifests, blobs, List.of());
  }

  /**
   * Leases existing objects as {@link #acquire(String, Collection, Collection)} does, and the packs
   * (format 2) holding blobs the write found located there. A live plan naming a pack does not stop
   * the write: the returned lease says which packs to avoid, and the write sends their blobs again.
   */
  Lease acquire(String what, Collection<Digest> manifests, Collection<Digest> blobs, Collection<Digest> packs) {
    if (!store.canList() || (manifests.isEmpty() && blobs.isEmpty() && packs.isEmpty())) {
      // A store that cannot list cannot be collected through this client either; see docs/gc.md.
      return NONE;
    }
    String key = StoreLayout.GC_LEASES + UUID.randomUUID() + ".json";
    store.putIfAbsent(key, Content.ofBytes(write(new Named(new TreeSet<>(manifests), new TreeSet<>(blobs),
        new TreeSet<>(packs)))));
    Set<Digest> avoid = new TreeSet<>();
    try {
      // The store's time now is when it stored the lease; without it every plan counts as live.
      Optional<Instant> now = store.stat(key).map(ObjectInfo::lastModified);
      List<ObjectInfo> plans;
      try (Stream<ObjectInfo> s = store.list(StoreLayout.GC_PLANS)) {
        plans = s.toList();
      }
      for (ObjectInfo o : plans) {
        if (now.isPresent() && !now.get().isBefore(o.lastModified().plus(PLAN_TTL))) {
          continue;
        }
        Optional<Plan> plan = readPlan(o);
        if (plan.isEmpty()) {
          continue;
        }
        for (Digest p : packs) {
          if (plan.get().doomed().packs().contains(p)) {
            avoid.add(p);
          }
        }
        Optional<String> overlap = overlap(plan.get().doomed(), manifests, blobs);
        if (overlap.isPresent()) {
          throw new StoreException("a garbage collection of " + store.location() + " (plan " + o.key() + ", by "
              + plan.get().by() + ") may be deleting " + overlap.get() + ", which " + what + " would reuse; nothing was"
              + " written that relies on it. Retry once that gc has finished: it deletes nothing after "
              + o.lastModified().plus(PLAN_TTL) + " by the store's clock. If no gc is running, a killed one left the"
              + " plan: wait until then, or delete " + o.key() + " if you are sure no gc is running");
        }
      }
      // The lease stays: it protects what the write relied on for the grace period, also after the
      // write returns (a gc that listed the store before the write's manifest existed sees the
      // lease instead). gc removes leases older than the grace period.
      Set<Digest> doomedPacks = Set.copyOf(avoid);
      return new Lease() {
        @Override
        public void close() {}

        @Override
        public Set<Digest> doomedPacks() {
          return doomedPacks;
        }
      };
    } catch (RuntimeException e) {
      release(key);
      throw e;
    }
  }

  private static Optional<String> overlap(Named doomed, Collection<Digest> manifests, Collection<Digest> blobs) {
    for (Digest m : manifests) {
      if (doomed.manifests().contains(m)) {
        return Optional.of("version " + m);
      }
    }
    for (Digest b : blobs) {
      if (doomed.blobs().contains(b)) {
        return Optional.of("blob " + b);
      }
    }
    return Optional.empty();
  }

  private void release(String key) {
    try {
      store.delete(key);
    } catch (RuntimeException e) {
      LOG.debug("could not remove lease {}: {}", key, e.toString());
    }
  }

  /** Every gc coordination object, with the store's times. */
  List<ObjectInfo> listGc() {
    try (Stream<ObjectInfo> s = store.list(StoreLayout.GC)) {
      return s.toList();
    }
  }

  /** A plan's content, or empty if it vanished (its run finished). */
  Optional<Plan> readPlan(ObjectInfo o) {
    return read(o).map(r -> new Plan(o.key(), o.lastModified(), r.by(), r.named()));
  }

  /** What a lease or plan names, or empty if it vanished (its writer finished). */
  Optional<Named> readNamed(ObjectInfo o) {
    return read(o).map(Stored::named);
  }

  private record Stored(String by, Named named) {}

  /**
   * @throws IntegrityException if the object cannot be read as a lease or plan: what it protects
   *     or dooms is then unknown, so neither side may carry on as if it were not there
   */
  private Optional<Stored> read(ObjectInfo o) {
    return store.readIfExists(o.key(), Store.MAX_MANIFEST_BYTES, "gc object").map(b -> parse(b, o.key()));
  }

  /** Writes a lease or plan naming digests, with who wrote it and when (for people; times decide nothing). */
  byte[] write(Named named) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("at", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
    root.put("by", user);
    ArrayNode m = root.putArray("manifests");
    named.manifests().forEach(d -> m.add(d.toString()));
    ArrayNode b = root.putArray("blobs");
    named.blobs().forEach(d -> b.add(d.toString()));
    if (!named.packs().isEmpty()) {
      ArrayNode p = root.putArray("packs");
      named.packs().forEach(d -> p.add(d.toString()));
    }
    return Manifests.canonical(root);
  }

  private Stored parse(byte[] bytes, String key) {
    try {
      JsonNode root = Manifests.JSON.readTree(bytes);
      Set<Digest> manifests = new LinkedHashSet<>();
      Set<Digest> blobs = new LinkedHashSet<>();
      for (JsonNode n : root.path("manifests")) {
        manifests.add(Digest.parse(n.asText()));
      }
      for (JsonNode n : root.path("blobs")) {
        blobs.add(Digest.parse(n.asText()));
      }
      Set<Digest> packs = new LinkedHashSet<>();
      for (JsonNode n : root.path("packs")) {
        packs.add(Digest.parse(n.asText()));
      }
      return new Stored(root.path("by").asText("unknown"), new Named(manifests, blobs, packs));
    } catch (IOException | RuntimeException e) {
      throw new IntegrityException(key + " in " + store.location() + " is not a readable gc lease or plan (" + e
          + "), so what it protects is unknown. Delete it if no upload or gc that could have written it is running", e);
    }
  }

  /** The keys of the gc objects listed, by kind, for the collector's clean-up. */
  static List<ObjectInfo> under(List<ObjectInfo> gc, String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    gc.forEach(o -> {
      if (o.key().startsWith(prefix)) {
        out.add(o);
      }
    });
    return out;
  }
}
