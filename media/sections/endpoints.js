// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The endpoints section of the preview panel: for each policy of the document, the workloads it
 * selects, a graph of its peers and its rules (`client/src/endpoints-section.ts` builds the body).
 * Drawn with the frame's DOM helpers (`media/preview.js`): text only, never HTML.
 */
(function () {
  'use strict';

  // @ts-ignore -- set by media/preview.js, which loads first
  const api = window.ciliumPreview;
  const { el, svg, s, list, action, clickable } = api;

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
    const l7 = list(r.l7);
    if (l7.length > 0) {
      const ul = el('ul', 'l7');
      ul.setAttribute('aria-label', 'L7 rules');
      for (const row of l7) ul.append(el('li', 'l7-row', row));
      box.append(ul);
    }
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
      const label = svg('text', {
        x: n.x + n.width / 2,
        y: n.y + n.height * 0.45,
        class: 'label',
        'text-anchor': 'middle',
      });
      label.textContent = s(n.label);
      const sub = svg('text', {
        x: n.x + n.width / 2,
        y: n.y + n.height * 0.82,
        class: 'sublabel',
        'text-anchor': 'middle',
      });
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

  /** @param {any} invalid */
  function renderBanner(invalid) {
    const banner = el('div', 'invalid-banner');
    banner.setAttribute('role', 'alert');
    banner.append(el('p', 'invalid-text', invalid.text));
    const ul = el('ul', 'invalid-errors');
    for (const e of list(invalid.errors)) {
      const li = el('li', 'invalid-error');
      if (e.code) li.append(el('code', 'code', e.code), el('span', '', ' '));
      li.append(action(e.message, e.target, 'Go to the error', 'error-link'));
      ul.append(li);
    }
    banner.append(ul);
    return banner;
  }

  /** @param {any[]} hooks */
  function renderHooks(hooks) {
    const box = el('div', 'hooks');
    box.append(el('h3', '', 'Hooks'));
    for (const h of list(hooks)) {
      const item = el('div', 'hook');
      item.append(el('div', 'hook-head', h.hook), el('div', 'hook-summary', h.summary));
      list(h.selectors).forEach((/** @type {any} */ sel, /** @type {number} */ i) => {
        const ul = el('ul', 'hook-selector');
        ul.setAttribute('aria-label', `selector ${i + 1}`);
        for (const f of list(sel.filters)) ul.append(el('li', 'filter', f));
        for (const a of list(sel.actions)) ul.append(el('li', 'hook-action', `action: ${s(a)}`));
        if (list(sel.filters).length + list(sel.actions).length === 0)
          ul.append(el('li', 'filter', 'matches every call'));
        item.append(el('div', 'selector-title', `selector ${i + 1}`), ul);
      });
      box.append(item);
    }
    return box;
  }

  /** @param {any} p */
  function renderPolicy(p) {
    const section = el('section', 'policy');
    const h2 = el('h2');
    h2.append(action(p.heading, p.target, 'Reveal the policy in the editor', 'policy-title'));
    section.append(h2);
    if (p.invalid) section.append(renderBanner(p.invalid));

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

    if (list(p.directions).length > 0) {
      const ul = el('ul', 'directions');
      for (const d of list(p.directions))
        ul.append(el('li', `direction-statement ${d.restricted ? 'restricted' : 'open'} ${s(d.direction)}`, d.text));
      section.append(ul);
    }
    if (list(p.hooks).length > 0) section.append(renderHooks(p.hooks));
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

  api.register('endpoints', (/** @type {any} */ body) => {
    const out = [];
    if (body && body.message) out.push(el('p', 'message', body.message));
    for (const p of list(body && body.policies)) out.push(renderPolicy(p));
    return out;
  });
})();
