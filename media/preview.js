// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The endpoint preview webview. It renders the view model the extension posts
 * (`client/src/preview-model.ts`) and nothing else: every string goes in with `textContent`,
 * the graph is built with `createElementNS`, and clicks are sent back as the opaque target ids
 * the model carries. No framework, no remote resource, and no string is ever parsed as HTML.
 */
(function () {
  'use strict';

  /** @type {{ postMessage(message: unknown): void }} */
  // @ts-ignore -- provided by the webview host
  const vscode = acquireVsCodeApi();
  const SVG = 'http://www.w3.org/2000/svg';
  const root = /** @type {HTMLElement} */ (document.getElementById('root'));

  /** @param {unknown} v */
  function s(v) {
    return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
  }

  /** @param {unknown} v @returns {any[]} */
  function list(v) {
    return Array.isArray(v) ? v : [];
  }

  /**
   * An HTML element with a class and text.
   * @param {string} tag @param {string} [className] @param {unknown} [text]
   */
  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = s(text);
    return e;
  }

  /** @param {string} tag @param {Record<string, string | number>} attrs */
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }

  /** @param {unknown} target */
  function open(target) {
    if (typeof target === 'string' && target !== '') vscode.postMessage({ type: 'open', target });
  }

  /**
   * Makes an element act as a button that opens a target: click, Enter and Space.
   * @param {Element} e @param {unknown} target @param {string} label
   */
  function clickable(e, target, label) {
    if (typeof target !== 'string' || target === '') return;
    e.classList.add('clickable');
    e.setAttribute('tabindex', '0');
    e.setAttribute('role', 'button');
    e.setAttribute('aria-label', label);
    e.addEventListener('click', () => open(target));
    e.addEventListener('keydown', (ev) => {
      const k = /** @type {KeyboardEvent} */ (ev).key;
      if (k === 'Enter' || k === ' ') {
        ev.preventDefault();
        open(target);
      }
    });
  }

  /**
   * A link-like button, or plain text when there is no target.
   * @param {unknown} text @param {unknown} target @param {string} label @param {string} [className]
   */
  function action(text, target, label, className) {
    if (typeof target === 'string' && target !== '') {
      const b = /** @type {HTMLButtonElement} */ (el('button', `link${className ? ` ${className}` : ''}`, text));
      b.type = 'button';
      b.title = label;
      b.addEventListener('click', () => open(target));
      return b;
    }
    return el('span', className, text);
  }

  /** @param {any} inv */
  function renderInventory(inv) {
    const box = el('div', 'inventory');
    if (!inv) return box;
    box.append(
      el('span', `badge origin-${s(inv.origin)}`, s(inv.origin) === 'none' ? 'no inventory' : inv.origin),
      el('span', 'inventory-text', inv.text),
    );
    if (inv.error) {
      const err = el('p', 'error', `Last load failed: ${s(inv.error)}`);
      err.setAttribute('role', 'alert');
      box.append(err);
    }
    return box;
  }

  /** @param {any[]} selections */
  function renderSelections(selections) {
    const ul = el('ul', 'selections');
    for (const sel of list(selections)) {
      const li = el('li', sel.empty ? 'selection empty' : 'selection');
      li.append(
        action(sel.role, sel.target, `Reveal ${s(sel.role)} in the policy`, 'role'),
        el('code', 'selector', sel.selector),
        el('span', 'summary', ` — ${s(sel.summary)}`),
      );
      for (const note of list(sel.notes)) li.append(el('div', 'note', note));
      ul.append(li);
    }
    return ul;
  }

  /** @param {any} e */
  function renderEndpoint(e) {
    const li = el('li', 'endpoint');
    li.title = s(e.title);
    li.append(el('span', 'kind', e.detail), action(e.text, e.target, `Open the manifest of ${s(e.text)}`, 'name'));
    return li;
  }

  /** @param {any} p */
  function renderPeer(p) {
    const li = el('li', `peer peer-${s(p.type)}`);
    li.title = s(p.title);
    li.append(el('span', 'kind', p.detail), action(p.text, p.target, `Open the manifest of ${s(p.text)}`, 'name'));
    return li;
  }

  /**
   * Appends what a subject list or a rule shows: a note when nothing matched, the items, how many
   * more were left out, and the selectors behind them.
   * @param {HTMLElement} container @param {any} empty @param {any[]} items @param {string} listClass
   * @param {(item: any) => Node} render @param {any} more @param {string} moreNoun @param {any} selections
   */
  function appendListing(container, empty, items, listClass, render, more, moreNoun, selections) {
    if (empty) {
      const note = el('p', 'empty', empty);
      note.setAttribute('role', 'note');
      container.append(note);
    }
    if (items.length > 0) {
      const ul = el('ul', listClass);
      for (const item of items) ul.append(render(item));
      container.append(ul);
    }
    if (more > 0) container.append(el('p', 'more', `… and ${s(more)} more ${moreNoun}`));
    if (list(selections).length > 0) container.append(renderSelections(selections));
  }

  /** @param {any} r */
  function renderRule(r) {
    const box = el('div', `rule ${r.deny ? 'deny' : 'allow'}`);
    const head = el('div', 'rule-head');
    head.append(
      action(r.title, r.target, `Reveal ${s(r.title)} in the policy`, 'rule-title'),
      el('span', `verdict ${r.deny ? 'deny' : 'allow'}`, r.deny ? 'deny' : 'allow'),
      el('span', 'ports', r.portSummary),
    );
    box.append(head);
    appendListing(box, r.empty, list(r.peers), 'peers', renderPeer, r.morePeers, 'peers', r.selections);
    return box;
  }

  /** @param {any} g */
  function renderGraph(g) {
    const figure = el('figure', 'graph');
    const legend = el('div', 'graph-columns');
    legend.setAttribute('aria-hidden', 'true');
    legend.append(el('span', '', 'ingress from'), el('span', '', 'policy subject'), el('span', '', 'egress to'));
    const width = Number(g.width) || 0;
    const height = Number(g.height) || 0;
    const pic = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'graph-svg' });
    pic.setAttribute('aria-label', s(g.summary));
    const defs = svg('defs', {});
    for (const kind of ['allow', 'deny']) {
      const marker = svg('marker', {
        id: `arrow-${kind}`,
        viewBox: '0 0 10 10',
        refX: 10,
        refY: 5,
        markerWidth: 8,
        markerHeight: 8,
        orient: 'auto',
        markerUnits: 'userSpaceOnUse',
      });
      marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrow ${kind}` }));
      defs.append(marker);
    }
    pic.append(defs);
    const edges = svg('g', { class: 'edges' });
    const labels = svg('g', { class: 'edge-labels' });
    for (const e of list(g.edges)) {
      const kind = e.deny ? 'deny' : 'allow';
      const line = svg('line', {
        x1: e.x1,
        y1: e.y1,
        x2: e.x2,
        y2: e.y2,
        class: `edge ${kind} ${s(e.direction)}`,
        'marker-end': `url(#arrow-${kind})`,
      });
      const title = svg('title', {});
      title.textContent = s(e.title);
      line.append(title);
      edges.append(line);
      const text = svg('text', { x: e.labelX, y: e.labelY, class: `edge-label ${kind}`, 'text-anchor': 'middle' });
      text.textContent = s(e.label);
      labels.append(text);
    }
    const nodes = svg('g', { class: 'nodes' });
    for (const n of list(g.nodes)) {
      const group = svg('g', { class: `node ${s(n.role)} type-${s(n.type)}` });
      const title = svg('title', {});
      title.textContent = s(n.title);
      group.append(title);
      group.append(svg('rect', { x: n.x, y: n.y, width: n.width, height: n.height, rx: 5, ry: 5 }));
      const label = svg('text', { x: n.x + n.width / 2, y: n.y + 17, class: 'label', 'text-anchor': 'middle' });
      label.textContent = s(n.label);
      const sub = svg('text', { x: n.x + n.width / 2, y: n.y + 32, class: 'sublabel', 'text-anchor': 'middle' });
      sub.textContent = s(n.sublabel);
      group.append(label, sub);
      clickable(group, n.target, `Open the manifest of ${s(n.label)}`);
      nodes.append(group);
    }
    pic.append(edges, nodes, labels);
    const scroller = el('div', 'graph-scroll');
    scroller.append(legend, pic);
    figure.append(scroller, el('figcaption', '', g.summary));
    return figure;
  }

  /** @param {any} p */
  function renderPolicy(p) {
    const section = el('section', 'policy');
    const h2 = el('h2');
    h2.append(action(p.heading, p.target, 'Reveal the policy in the editor', 'policy-title'));
    section.append(h2);

    const subjects = el('div', 'subjects');
    subjects.append(el('h3', '', `Subjects — ${s(p.subjectSummary)}`));
    appendListing(
      subjects,
      p.subjectEmpty,
      list(p.subjects),
      'endpoints',
      renderEndpoint,
      p.moreSubjects,
      'workloads',
      p.subjectSelections,
    );
    section.append(subjects);

    if (p.graph && list(p.graph.nodes).length > 0) section.append(renderGraph(p.graph));
    if (p.noRules) section.append(el('p', 'empty', p.noRules));
    for (const sec of list(p.sections)) {
      const box = el('div', `direction ${s(sec.direction)}`);
      box.append(el('h3', '', sec.heading));
      for (const r of list(sec.rules)) box.append(renderRule(r));
      section.append(box);
    }
    return section;
  }

  /** @param {any} model */
  function render(model) {
    if (!model || typeof model !== 'object') return;
    const header = el('header');
    const title = el('h1', '', 'Endpoint preview');
    if (model.file) title.append(el('span', 'file', ` — ${s(model.file)}`));
    header.append(title, renderInventory(model.inventory));
    const body = [header];
    if (model.message) body.push(el('p', 'message', model.message));
    for (const p of list(model.policies)) body.push(renderPolicy(p));
    root.replaceChildren(...body);
  }

  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data && typeof data === 'object' && data.type === 'render') render(data.model);
  });
  vscode.postMessage({ type: 'ready' });
})();
