// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The kernel-targets section of the preview panel: per TracingPolicy, a table of kernel targets
 * (declared, or node pools of the inventory) × hooks saying whether each hook loads there
 * (`client/src/kernel-targets-model.ts` builds the body). A cell's title gives the reasons.
 * Drawn with the frame's DOM helpers (`media/preview.js`): text only, never HTML.
 */
(function () {
  'use strict';

  // @ts-ignore -- set by media/preview.js, which loads first
  const api = window.ciliumPreview;
  const { el, s, list, action } = api;

  /** @param {unknown} state */
  function stateClass(state) {
    const v = s(state);
    return /^(loads|reduced|depends|unknown|no)$/.test(v) ? `state-${v}` : 'state-unknown';
  }

  /** @param {any} p */
  function renderPolicy(p) {
    const box = el('section', 'kernel-policy');
    const h3 = el('h3');
    h3.append(action(p.heading, p.target, 'Reveal the policy in the editor', 'policy-title'));
    box.append(h3, el('p', 'summary', p.summary));
    const table = el('table', 'kernel-matrix');
    const head = el('tr');
    head.append(el('th', 'corner', 'target'));
    for (const h of list(p.hooks)) {
      const th = el('th', 'hook');
      th.setAttribute('scope', 'col');
      th.append(action(h.label, h.target, `Reveal ${s(h.label)} in the policy`, 'hook'));
      head.append(th);
    }
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    for (const r of list(p.rows)) {
      const tr = el('tr', stateClass(r.state));
      const th = el('th', 'target', r.name);
      th.setAttribute('scope', 'row');
      th.title = `${s(r.description)}: ${s(r.stateText)}`;
      tr.append(th);
      for (const c of list(r.cells)) {
        const td = el('td', `cell ${stateClass(c.state)}`, c.mark);
        td.title = s(c.title);
        td.setAttribute('aria-label', s(c.title));
        td.setAttribute('tabindex', '0');
        tr.append(td);
      }
      tbody.append(tr);
    }
    table.append(thead, tbody);
    const scroller = el('div', 'matrix-scroll');
    scroller.append(table);
    box.append(scroller);
    return box;
  }

  api.register('kernel-targets', (/** @type {any} */ body) => {
    const out = [];
    if (body && body.message) out.push(el('p', 'message', body.message));
    for (const p of list(body && body.policies)) out.push(renderPolicy(p));
    if (list(body && body.policies).length > 0) {
      const legend = el('p', 'legend');
      for (const l of list(body && body.legend))
        legend.append(el('span', `cell ${stateClass(l.state)}`, `${s(l.mark)} ${s(l.text)}`));
      out.push(legend);
    }
    return out;
  });
})();
