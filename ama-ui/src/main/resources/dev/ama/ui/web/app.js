// The dashboard page: a hash router over the views below. Read-only: nothing here writes.
import * as api from './api.js';
import {chips, errorBox, h, hex, short, size, table, time, versionLink} from './views.js';

const main = document.getElementById('main');
let graph = null;

const routes = [
  [/^#?\/?$/, home],
  [/^#\/type\/([^/]+)$/, (type) => typePage(type)],
  [/^#\/version\/([0-9a-f]{64})$/, (id) => versionPage(id)],
  [/^#\/history\/([^/]+)\/([^/]+)$/, (type, alias) => historyPage(type, alias)],
  [/^#\/graph\/([0-9a-f]{64})(?:\?(.*))?$/, (id, q) => graphPage(id, new URLSearchParams(q || ''))],
  [/^#\/diff\/([0-9a-f]{64})\/([0-9a-f]{64})$/, (from, to) => diffPage(from, to)],
  [/^#\/find$/, findPage],
];

async function route() {
  if (graph) {
    graph.destroy();
    graph = null;
    window.amaGraph = undefined;
  }
  const hash = location.hash || '#/';
  for (const [pattern, view] of routes) {
    const m = hash.match(pattern);
    if (m) {
      main.replaceChildren(h('p', {class: 'loading'}, 'Loading…'));
      document.body.dataset.view = '';
      try {
        const args = m.slice(1).map((a) => (a === undefined ? a : decodeURIComponent(a)));
        await view(...args);
      } catch (e) {
        main.replaceChildren(errorBox(e));
      }
      // Lets a reader (and the browser tests) know the view finished loading.
      document.body.dataset.view = hash.split(/[/?]/)[1] || 'home';
      return;
    }
  }
  main.replaceChildren(errorBox(new Error(`no such page: ${hash}`)));
}

function show(...children) {
  main.replaceChildren(...children);
}

// ------------------------------------------------------------------ assets and aliases

async function home() {
  const data = await api.types();
  document.getElementById('store').textContent = data.store;
  const list = h('ul', {id: 'type-list', class: 'type-list'});
  const render = (filter) => list.replaceChildren(...data.types
      .filter((t) => t.includes(filter))
      .map((t) => h('li', {}, h('a', {href: `#/type/${encodeURIComponent(t)}`, dataset: {type: t}}, t))));
  const search = h('input', {type: 'search', id: 'type-search', placeholder: 'Filter asset types',
    'aria-label': 'Filter asset types', on: {input: (e) => render(e.target.value.trim())}});
  render('');
  show(h('h1', {}, 'Asset types'),
      data.types.length === 0 ? h('p', {class: 'empty'}, 'This store has no assets yet: upload one with ama upload.')
        : h('div', {}, search, list),
      dropZone());
}

async function typePage(type) {
  const [aliases, first] = await Promise.all([api.aliases(type), api.versions(type)]);
  const aliasLink = (a) => h('a', {href: `#/history/${encodeURIComponent(type)}/${encodeURIComponent(a.alias)}`,
    dataset: {alias: a.alias}, title: 'history'}, a.alias);
  const holder = h('div', {});
  const count = h('p', {class: 'muted', id: 'alias-count'});
  const moreAliases = h('button', {type: 'button', id: 'more-aliases'}, 'More aliases');
  let shown = [];
  let removedShown = [];
  let next = null;
  // Aliases come a page at a time, by name; the search asks the server, so it covers them all.
  const render = () => {
    holder.replaceChildren(
        table('alias-table', ['Alias', 'Points at', 'Moved by', 'When', 'Entry'], shown.map((a) => [
          aliasLink(a), versionLink(a.version), a.by, time(a.at), `#${a.seq}`]), 'No aliases.'),
        removedShown.length === 0 ? '' : h('details', {},
            h('summary', {}, `${removedShown.length} removed alias(es)`),
            table('removed-table', ['Alias', 'Last pointed at', 'Removed by', 'When'], removedShown.map((a) => [
              aliasLink(a), versionLink(a.version), a.by, time(a.at)]))));
  };
  const take = (page, reset) => {
    shown = reset ? page.aliases : shown.concat(page.aliases);
    removedShown = reset ? page.removed : removedShown.concat(page.removed);
    next = page.next;
    moreAliases.hidden = !next;
    count.textContent = `${page.total} alias(es)${page.total > shown.length + removedShown.length ? `, ${shown.length + removedShown.length} shown` : ''}`;
    render();
  };
  let filter = '';
  let timer = null;
  const search = h('input', {type: 'search', id: 'alias-search', placeholder: 'Search aliases',
    'aria-label': 'Search aliases', on: {input: (e) => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        filter = e.target.value.trim();
        try {
          take(await api.aliases(type, filter), true);
        } catch (err) {
          holder.replaceChildren(errorBox(err));
        }
      }, 200);
    }}});
  moreAliases.addEventListener('click', async () => {
    moreAliases.disabled = true;
    try {
      take(await api.aliases(type, filter, next), false);
    } catch (err) {
      moreAliases.after(errorBox(err));
    } finally {
      moreAliases.disabled = false;
    }
  });
  take(aliases, true);
  const body = h('tbody', {});
  const more = h('button', {type: 'button', id: 'more-versions'}, 'More versions');
  let cursor = null;
  const addPage = (page) => {
    for (const v of page.versions) {
      body.append(h('tr', {}, h('td', {}, versionLink(v.version)), h('td', {}, chips(v.aliases, type)),
          h('td', {}, v.createdBy), h('td', {}, time(v.createdAt)), h('td', {}, String(v.files)),
          h('td', {}, size(v.size))));
    }
    cursor = page.next;
    more.hidden = !cursor;
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      addPage(await api.versions(type, cursor));
    } catch (e) {
      more.after(errorBox(e));
    } finally {
      more.disabled = false;
    }
  });
  addPage(first);
  show(h('p', {class: 'crumbs'}, h('a', {href: '#/'}, 'Asset types'), ' / ', type),
      h('h1', {}, type),
      h('h2', {}, 'Aliases'), search, count, holder, moreAliases,
      h('h2', {}, 'Versions, newest first'),
      h('table', {id: 'version-table'},
          h('thead', {}, h('tr', {}, ['Version', 'Aliases', 'By', 'Uploaded', 'Files', 'Size'].map((t) => h('th', {}, t)))),
          body),
      more);
}

// ------------------------------------------------------------------ one version

async function versionPage(id) {
  const v = await api.version(`sha256:${id}`);
  const labels = Object.entries(v.labels);
  show(h('p', {class: 'crumbs'}, h('a', {href: '#/'}, 'Asset types'), ' / ',
      h('a', {href: `#/type/${encodeURIComponent(v.type)}`}, v.type), ' / ', short(v.version)),
  h('h1', {}, `${v.type} `, h('span', {class: 'digest'}, short(v.version))),
  h('p', {class: 'full-digest', id: 'version-id'}, v.version),
  h('dl', {class: 'facts'},
      h('dt', {}, 'Aliases'), h('dd', {id: 'version-aliases'}, v.aliases.length ? chips(v.aliases, v.type) : 'none'),
      h('dt', {}, 'Uploaded'), h('dd', {}, `${time(v.createdAt)} by ${v.createdBy}`),
      v.uploadedAs ? [h('dt', {}, 'Uploaded as'), h('dd', {}, v.uploadedAs)] : null,
      h('dt', {}, 'Size'), h('dd', {}, `${size(v.size)} in ${v.files} file(s)`),
      v.description ? [h('dt', {}, 'Description'), h('dd', {class: 'description'}, v.description)] : null),
  h('p', {class: 'actions'},
      h('a', {class: 'button', id: 'open-graph', href: `#/graph/${id}?depth=3&direction=both`}, 'Lineage graph')),
  h('h2', {}, 'Files'),
  table('file-table', ['Path', 'Size', 'SHA-256'], v.files.map((f) =>
    [f.path, size(f.size), h('code', {title: f.digest}, short(f.digest))])),
  h('h2', {}, 'Labels'),
  table('label-table', ['Key', 'Value'], labels, 'No labels.'),
  h('h2', {}, 'Made from (refs)'),
  table('ref-table', ['Type', 'Version', 'Resolved from alias'], v.refs.map((r) =>
    [r.type, versionLink(r.version), r.alias || ''])),
  h('h2', {}, 'Referenced by'),
  table('refby-table', ['Type', 'Version', 'Aliases', 'Uploaded'], v.referencedBy.map((r) =>
    [r.type, versionLink(r.version), chips(r.aliases, r.type), time(r.createdAt)]), 'Nothing refs this version.'));
}

// ------------------------------------------------------------------ alias history

async function historyPage(type, alias) {
  const data = await api.history(type, alias);
  const items = data.entries.slice().reverse().map((e) => h('li', {class: `move ${e.kind}`, dataset: {seq: e.seq, kind: e.kind}},
      h('span', {class: `badge ${e.kind}`}, e.kind),
      h('span', {class: 'seq'}, `#${e.seq}`),
      e.removed ? h('span', {}, 'removed; it pointed at ', versionLink(e.version))
        : h('span', {}, 'points at ', versionLink(e.version)),
      e.collected ? h('span', {class: 'collected', title: 'garbage collection removed this version'}, ' (collected)') : null,
      h('span', {class: 'who'}, ` by ${e.by}, ${time(e.at)}`),
      e.previous && !e.removed
        ? h('a', {class: 'diff-link', href: `#/diff/${hex(e.previous)}/${hex(e.version)}`}, `diff from ${short(e.previous)}`)
        : null));
  show(h('p', {class: 'crumbs'}, h('a', {href: '#/'}, 'Asset types'), ' / ',
      h('a', {href: `#/type/${encodeURIComponent(type)}`}, type), ' / ', alias),
  h('h1', {}, `${type}/${alias}`),
  h('p', {}, `${data.entries.length} move(s), newest first.`),
  h('ol', {class: 'timeline', id: 'timeline', reversed: true}, items));
}

// ------------------------------------------------------------------ lineage graph

async function graphPage(id, params) {
  const depth = Math.max(1, Math.min(50, Number(params.get('depth')) || 3));
  const direction = ['up', 'down', 'both'].includes(params.get('direction')) ? params.get('direction') : 'both';
  const data = await api.lineage(`sha256:${id}`, direction, depth);
  const go = (d, dir) => { location.hash = `#/graph/${id}?depth=${d}&direction=${dir}`; };
  const depthSelect = h('select', {id: 'graph-depth', 'aria-label': 'Depth', on: {change: (e) => go(e.target.value, direction)}},
      [1, 2, 3, 5, 10, 20].map((d) => h('option', {value: d, selected: d === depth}, `${d} ref(s) away`)));
  const dirSelect = h('select', {id: 'graph-direction', 'aria-label': 'Direction', on: {change: (e) => go(depth, e.target.value)}},
      [['both', 'inputs and outputs'], ['up', 'inputs (made from)'], ['down', 'outputs (made from it)']]
          .map(([v, t]) => h('option', {value: v, selected: v === direction}, t)));
  const expand = h('button', {type: 'button', id: 'graph-expand', disabled: !data.truncated,
    on: {click: () => go(Math.min(50, depth * 2), direction)}}, data.truncated ? 'Expand (go deeper)' : 'Whole lineage shown');
  const pick = h('input', {type: 'checkbox', id: 'graph-pick'});
  const status = h('span', {id: 'graph-status', class: 'status'}, 'Click a version to open it.');
  const container = h('div', {id: 'graph', class: 'graph', role: 'img',
    'aria-label': `lineage graph of ${data.nodes.length} versions`});
  const root = data.nodes.find((n) => n.depth === 0);
  const label = (n) => `${n.type}\n${n.aliases.length ? n.aliases.join(', ') : short(n.version)}`;
  // Boxes sized to their two-line labels (Cytoscape no longer sizes a node to its label itself).
  const box = (text) => ({w: 16 + 7.2 * Math.max(...text.split('\n').map((l) => l.length)), h: 20 + 15 * text.split('\n').length});
  show(h('p', {class: 'crumbs'}, h('a', {href: '#/'}, 'Asset types'), ' / ',
      h('a', {href: `#/type/${encodeURIComponent(root.type)}`}, root.type), ' / ', versionLink(root.version), ' / lineage'),
  h('h1', {}, 'Lineage of ', label(root).replace('\n', ' ')),
  h('div', {class: 'toolbar'}, dirSelect, depthSelect, expand,
      h('label', {}, pick, ' pick two versions to diff'), status),
  container,
  h('details', {class: 'graph-list'}, h('summary', {}, `The ${data.nodes.length} versions as a list`),
      table('graph-nodes', ['Depth', 'Type', 'Version', 'Aliases'], data.nodes.map((n) =>
        [String(n.depth), n.type, versionLink(n.version), chips(n.aliases, n.type)]))));
  // Edges point from what a version was made from to the version: inputs on the left, the model
  // on the right, as in the seed's picture.
  const elements = [
    ...data.nodes.map((n) => ({data: {id: n.version, label: label(n), root: n.depth === 0 ? 1 : 0, ...box(label(n))}})),
    ...data.edges.map((e) => ({data: {id: `${e.to}>${e.from}`, source: e.to, target: e.from, label: e.alias || ''}})),
  ];
  graph = window.cytoscape({
    container,
    elements,
    style: [
      {selector: 'node', style: {
        'shape': 'round-rectangle', 'label': 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'center',
        'text-halign': 'center', 'width': 'data(w)', 'height': 'data(h)', 'font-size': 12,
        'background-color': '#eef2f7', 'border-width': 1, 'border-color': '#7b8aa0', 'color': '#1b2533'}},
      {selector: 'node[root = 1]', style: {'background-color': '#dbe9ff', 'border-width': 3, 'border-color': '#2f6fdb'}},
      {selector: 'node:selected', style: {'border-color': '#d9822b', 'border-width': 3}},
      {selector: 'edge', style: {
        'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'width': 1.5, 'line-color': '#9aa7b8',
        'target-arrow-color': '#9aa7b8', 'label': 'data(label)', 'font-size': 10, 'text-rotation': 'autorotate',
        'color': '#5b6878'}},
    ],
    layout: {name: 'dagre', rankDir: 'LR', nodeSep: 30, rankSep: 140},
  });
  // A small graph fitted to the box would be drawn huge: keep it at about reading size.
  if (graph.zoom() > 1.5) {
    graph.zoom(1.5);
    graph.center();
  }
  window.amaGraph = graph;
  const picked = [];
  graph.on('tap', 'node', (event) => {
    const node = event.target.id();
    if (!pick.checked) {
      location.hash = `#/version/${hex(node)}`;
      return;
    }
    if (!picked.includes(node)) picked.push(node);
    status.textContent = picked.length === 1 ? `Picked ${short(node)}; pick another to diff.` : '';
    if (picked.length === 2) location.hash = `#/diff/${hex(picked[0])}/${hex(picked[1])}`;
  });
}

// ------------------------------------------------------------------ diff

async function diffPage(from, to) {
  const d = await api.diff(`sha256:${from}`, `sha256:${to}`);
  const changed = d.changed.map((c) => h('div', {class: 'change'},
      h('h3', {}, c.path, ' ', h('span', {class: 'muted'}, `${size(c.before.size)} → ${size(c.after.size)}`)),
      c.note ? h('p', {class: 'muted'}, c.note) : null,
      c.parameters.length === 0 ? null : table(null, ['Parameter', 'Before', 'After'], c.parameters.map((p) =>
        [h('code', {}, p.key), p.before === null ? h('em', {}, 'absent') : p.before,
          p.after === null ? h('em', {}, 'absent') : p.after]))));
  show(h('h1', {}, 'Diff'),
      h('p', {id: 'diff-header'}, 'From ', versionLink(d.from.version, `${d.from.type} ${short(d.from.version)}`),
          ' to ', versionLink(d.to.version, `${d.to.type} ${short(d.to.version)}`),
          d.typesDiffer ? h('span', {class: 'muted'}, ' (versions of different types)') : null),
      h('p', {}, `${d.added.length} added, ${d.removed.length} removed, ${d.renamed.length} renamed,`
          + ` ${d.changed.length} changed, ${d.unchanged} unchanged.`),
      h('h2', {}, 'Added'), table('diff-added', ['Path', 'Size'], d.added.map((f) => [f.path, size(f.size)])),
      h('h2', {}, 'Removed'), table('diff-removed', ['Path', 'Size'], d.removed.map((f) => [f.path, size(f.size)])),
      h('h2', {}, 'Renamed'), table('diff-renamed', ['From', 'To'], d.renamed.map((r) => [r.from, r.to])),
      h('h2', {}, 'Changed'), h('div', {id: 'diff-changed'}, changed.length ? changed : h('p', {class: 'empty'}, 'none')));
}

// ------------------------------------------------------------------ find by content

function dropZone() {
  const input = h('input', {type: 'file', id: 'find-file', 'aria-label': 'Choose a file to find'});
  input.addEventListener('change', () => input.files[0] && findFile(input.files[0]));
  return h('section', {class: 'drop-zone', id: 'drop-zone'},
      h('p', {}, 'Drop a file anywhere on this page, or ', input, ', to find the versions holding identical bytes.'),
      h('p', {class: 'muted'}, 'Its SHA-256 is computed in this browser; the file never leaves the machine.'),
      h('div', {id: 'find-result'}));
}

async function findPage() {
  show(h('h1', {}, 'Find by content'), dropZone());
}

async function findFile(file) {
  if (!location.hash.startsWith('#/find')) {
    location.hash = '#/find';
    await waitForView('find');
  }
  const out = document.getElementById('find-result');
  if (!window.crypto || !window.crypto.subtle) {
    out.replaceChildren(errorBox(new Error('this page is not in a secure context (https or localhost), so the browser'
        + ' offers no SHA-256; open it through https or 127.0.0.1')));
    return;
  }
  out.replaceChildren(h('p', {class: 'loading'}, `Hashing ${file.name} (${size(file.size)})…`));
  try {
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    const sha = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const found = await api.find(sha);
    out.replaceChildren(
        h('p', {id: 'find-digest'}, `${file.name}: sha256:${sha}`),
        found.matches.length === 0
          ? h('p', {class: 'empty', id: 'find-none'}, 'No version holds a file with these bytes.')
          : table('find-table', ['Type', 'Version', 'Path in it', 'Aliases', 'Uploaded'], found.matches.map((m) =>
            [m.type, versionLink(m.version), m.path, chips(m.aliases, m.type), time(m.createdAt)])));
  } catch (e) {
    out.replaceChildren(errorBox(e));
  }
}

function waitForView(name) {
  return new Promise((resolve) => {
    const check = () => (document.body.dataset.view === name ? resolve() : setTimeout(check, 20));
    check();
  });
}

// A file dropped anywhere is looked up; dragging shows where it goes.
const overlay = document.getElementById('drop-overlay');
window.addEventListener('dragover', (e) => {
  if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) {
    e.preventDefault();
    overlay.hidden = false;
  }
});
window.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) overlay.hidden = true;
});
window.addEventListener('drop', (e) => {
  e.preventDefault();
  overlay.hidden = true;
  const file = e.dataTransfer && e.dataTransfer.files[0];
  if (file) findFile(file);
});

window.addEventListener('hashchange', route);
// The graph libraries are deferred classic scripts: they have run before this module does.
if (!window.cytoscape) {
  main.replaceChildren(errorBox(new Error('the graph library did not load; reload the page')));
} else {
  api.types().then((t) => { document.getElementById('store').textContent = t.store; }).catch(() => {});
  route();
}
