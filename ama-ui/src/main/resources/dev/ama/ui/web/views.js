// DOM helpers: every text from the store goes in through textContent or an attribute, never as
// HTML, so a version's description or a label cannot inject markup into the page.

/** An element: h('a', {href: '#/'}, 'text', child, ...); null and false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'on') for (const [event, fn] of Object.entries(v)) el.addEventListener(event, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A table with a header row; rows are arrays of cells (text or elements). */
export function table(id, headers, rows, empty = 'none') {
  if (rows.length === 0) return h('p', {class: 'empty', id}, empty);
  return h('table', {id},
      h('thead', {}, h('tr', {}, headers.map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.map((cells) => {
        const tr = h('tr', {}, cells.map((c) => h('td', {}, c)));
        return tr;
      })));
}

export const hex = (digest) => digest.slice(digest.indexOf(':') + 1);
export const short = (digest) => hex(digest).slice(0, 12);

/** A link to a version's page, labelled by its short digest. */
export function versionLink(digest, label) {
  return h('a', {href: `#/version/${hex(digest)}`, class: 'digest', title: digest}, label || short(digest));
}

export function time(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:\d\dZ$/, ' UTC');
}

export function size(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function chips(names, type) {
  return h('span', {class: 'chips'}, names.map((a) =>
    h('a', {class: 'chip', href: `#/history/${encodeURIComponent(type)}/${encodeURIComponent(a)}`}, a)));
}

export function errorBox(e) {
  return h('div', {class: 'error', role: 'alert'}, e.message || String(e));
}
