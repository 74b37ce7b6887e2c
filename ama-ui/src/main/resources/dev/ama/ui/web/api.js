// The dashboard's questions, asked of the server (/api/...) or, in a static export, read from the
// exported JSON files (api/...json). Paths are relative, so an export works under any prefix.

const mode = document.querySelector('meta[name="ama-mode"]').content;

/** Whether this page reads an exported static site rather than asking a running server. */
export const isStatic = mode === 'static';

/** An answer the page can show: the server's (or export's) error message, and its status. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function get(url, missing) {
  const response = await fetch(url, {credentials: 'same-origin', headers: {Accept: 'application/json'}});
  if (response.status === 404 && isStatic && missing) {
    throw new ApiError(missing, 404);
  }
  let body;
  try {
    body = await response.json();
  } catch (e) {
    throw new ApiError(`the dashboard answered ${response.status} without JSON; reload the page` +
        (response.status === 401 ? ' from the URL "ama ui" printed' : ''), response.status);
  }
  if (!response.ok) {
    throw new ApiError(body.error || `the dashboard answered ${response.status}`, response.status);
  }
  return body;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  return q.toString();
}

const hex = (digest) => digest.slice(digest.indexOf(':') + 1);
const seg = encodeURIComponent;

export function types() {
  return get(isStatic ? 'api/types.json' : 'api/types');
}

/**
 * A page of a type's aliases whose names contain q, after the name `after` (the previous page's
 * next); an export holds them all, so it answers with every match at once.
 */
export async function aliases(type, q, after) {
  if (!isStatic) {
    return get(`api/aliases?${query({type, q, after})}`);
  }
  const all = await get(`api/aliases/${seg(type)}.json`, `the export holds no asset type ${type}`);
  const match = (a) => a.alias.toLowerCase().includes((q || '').toLowerCase());
  const live = all.aliases.filter(match);
  const removed = all.removed.filter(match);
  return {type, total: live.length + removed.length, aliases: live, removed, next: null};
}

/** One page of a type's versions, newest first; pass the previous page's next as cursor. */
export function versions(type, cursor) {
  return get(isStatic ? `api/versions/${seg(type)}/${seg(cursor || '1')}.json`
      : `api/versions?${query({type, cursor})}`, `the export holds no versions of ${type}`);
}

export function version(id) {
  return get(isStatic ? `api/version/${seg(hex(id))}.json` : `api/version?${query({id})}`,
      `the export holds no version ${id}`);
}

export function history(type, alias) {
  return get(isStatic ? `api/history/${seg(type)}/${seg(alias)}.json` : `api/history?${query({type, alias})}`,
      `the export holds no alias ${type}/${alias}`);
}

/** The lineage around a version; an export holds it to a fixed depth, trimmed here to the one asked. */
export async function lineage(id, direction, depth) {
  if (!isStatic) {
    return get(`api/lineage?${query({id, direction, depth})}`);
  }
  const all = await get(`api/lineage/${seg(hex(id))}.json`, `the export holds no lineage of ${id}`);
  const keep = new Set(all.nodes
      .filter((n) => Math.abs(n.depth) <= depth)
      .filter((n) => direction === 'both' || (direction === 'up' ? n.depth <= 0 : n.depth >= 0))
      .map((n) => n.version));
  const nodes = all.nodes.filter((n) => keep.has(n.version));
  const edges = all.edges.filter((e) => keep.has(e.from) && keep.has(e.to));
  // Beyond the exported depth there is nothing more to load: only a trimmed graph can grow.
  const truncated = all.nodes.length > nodes.length || (all.truncated && depth < all.depth);
  return {...all, direction, depth, nodes, edges, truncated};
}

export function diff(from, to) {
  return get(isStatic ? `api/diff/${seg(hex(from))}/${seg(hex(to))}.json` : `api/diff?${query({from, to})}`,
      'this export holds diffs only for the moves of an alias (open one from an alias history);'
      + ' a running "ama ui" compares any two versions');
}

/** The versions holding a file with this SHA-256 (hex), from the content index. */
export async function find(sha256hex) {
  const digest = `sha256:${sha256hex}`;
  if (!isStatic) {
    return get(`api/find?${query({digest})}`);
  }
  let shard = {};
  try {
    shard = await get(`api/content/${sha256hex.slice(0, 2)}.json`, 'no exported file has this content');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  return {digest, matches: shard[sha256hex] || []};
}
