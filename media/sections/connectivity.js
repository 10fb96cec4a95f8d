// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The connectivity section of the preview panel: a grid of allow, deny and unknown for the
 * workloads of the policy's namespace and the peers its rules name, one column per destination
 * port; a click on a cell asks the extension to explain it, and the explanation (the reason, both
 * directions, the deciding rules as links) is drawn under the grid
 * (`client/src/connectivity-section-model.ts` builds the body). Text only, never HTML.
 */
(function () {
  'use strict';

  // @ts-ignore -- set by media/preview.js, which loads first
  const api = window.ciliumPreview;
  const { el, s, list, action, act } = api;

  const SYMBOL = { allow: '✓', deny: '✗', unknown: '?', self: '·' };

  /** @param {any} c */
  function renderCell(c) {
    const verdict = s(c.verdict);
    const td = el('td', `cell verdict-${verdict}${c.selected ? ' selected' : ''}`);
    if (!c.action) {
      td.append(el('span', 'symbol', SYMBOL[/** @type {'self'} */ (verdict)] ?? ''));
      td.title = s(c.title);
      return td;
    }
    const b = /** @type {HTMLButtonElement} */ (
      el('button', 'cell-button', SYMBOL[/** @type {'allow'} */ (verdict)] ?? '?')
    );
    b.type = 'button';
    b.title = `${s(c.title)} (click to explain)`;
    b.setAttribute('aria-label', `${s(c.title)}; explain`);
    b.addEventListener('click', () => act('connectivity', c.action));
    td.append(b);
    return td;
  }

  /** @param {any} body */
  function renderGrid(body) {
    const table = el('table', 'matrix');
    const head = el('thead');
    const destRow = el('tr');
    const corner = el('th', 'corner', 'from ↓ to →');
    corner.setAttribute('rowspan', '2');
    destRow.append(corner);
    for (const d of list(body.destinations)) {
      const th = el('th', `destination${d.local ? '' : ' peer'}`);
      th.setAttribute('colspan', String(Math.max(1, Number(d.span) || 1)));
      th.append(action(d.text, d.target, `Open the manifest of ${s(d.text)}`, 'name'));
      destRow.append(th);
    }
    const portRow = el('tr');
    for (const p of list(body.ports)) {
      const th = el('th', 'port', p.text);
      th.title = s(p.title);
      portRow.append(th);
    }
    head.append(destRow, portRow);
    const tbody = el('tbody');
    for (const r of list(body.rows)) {
      const tr = el('tr');
      const th = el('th', `source${r.local ? '' : ' peer'}`);
      th.setAttribute('scope', 'row');
      th.append(action(r.text, r.target, `Open the manifest of ${s(r.text)}`, 'name'));
      tr.append(th);
      for (const c of list(r.cells)) tr.append(renderCell(c));
      tbody.append(tr);
    }
    table.append(head, tbody);
    const wrap = el('div', 'matrix-wrap');
    wrap.append(table);
    return wrap;
  }

  /** @param {any} d */
  function renderDetail(d) {
    const box = el('div', `cell-detail verdict-${s(d.verdict)}`);
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', 'Why this cell has its verdict');
    const h = el('h3', 'detail-heading');
    h.append(el('span', `verdict ${s(d.verdict)}`, d.verdict), el('span', '', ` ${s(d.heading)}`));
    box.append(h, el('p', 'reason', d.reason));
    const ul = el('ul', 'detail-lines');
    for (const line of list(d.lines)) {
      const li = el('li', line.rule ? 'rule-link' : 'direction');
      li.append(action(line.text, line.target, `Open ${s(line.text)}`, 'name'));
      ul.append(li);
    }
    box.append(ul);
    return box;
  }

  api.register('connectivity', (/** @type {any} */ body) => {
    const nodes = [];
    const head = el('p', 'matrix-summary');
    head.append(el('strong', '', body.policy), el('span', '', ` — ${s(body.summary)}`));
    nodes.push(head);
    const counts = body.counts || {};
    const legend = el('p', 'legend');
    legend.append(
      el('span', 'verdict-allow', `✓ allow ${s(counts.allow)}`),
      el('span', 'verdict-deny', `✗ deny ${s(counts.deny)}`),
      el('span', 'verdict-unknown', `? unknown ${s(counts.unknown)}`),
    );
    nodes.push(legend);
    if (body.note) nodes.push(el('p', 'note', body.note));
    if (list(body.rows).length > 0 && list(body.ports).length > 0) nodes.push(renderGrid(body));
    if (body.detail) nodes.push(renderDetail(body.detail));
    else if (list(body.ports).length > 0)
      nodes.push(el('p', 'hint', 'Click a cell to see why it is allowed or denied.'));
    return nodes;
  });
})();
