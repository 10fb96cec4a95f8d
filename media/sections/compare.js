// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The compare section of the preview panel: the connectivity diff between a git revision and the
 * working tree, grouped by namespace, each change as before → after with what decides egress and
 * ingress now, then the workloads newly default-deny or newly unprotected
 * (`client/src/compare-model.ts` builds the body). Drawn with the frame's DOM helpers
 * (`media/preview.js`): text only, never HTML. When the user asked to see it (the status bar
 * item), the section scrolls into view once.
 */
(function () {
  'use strict';

  // @ts-ignore -- set by media/preview.js, which loads first
  const api = window.ciliumPreview;
  const { el, s, list, statusHeadline, actionBar, decidedBy } = api;

  /** The last `reveal` scrolled to: a redraw after an edit does not jump. */
  let revealed = 0;

  /** @param {string} word @param {any} d */
  function renderDirection(word, d) {
    const li = el('li', `direction verdict-${s(d && d.verdict)}`);
    li.append(el('span', 'direction-name', `${word}: `), el('span', `verdict ${s(d && d.verdict)}`, d && d.verdict));
    const rules = decidedBy(d && d.rules);
    if (rules) li.append(rules);
    else if (s(d && d.text) !== '') li.append(el('span', 'reason', ` — ${s(d.text)}`));
    return li;
  }

  /** @param {any} r */
  function renderRow(r) {
    const li = el('li', `change ${s(r.change)}`);
    const head = el('div', 'change-head');
    head.append(
      el('span', 'change-title', r.title),
      el('span', `verdict ${s(r.before)}`, r.before),
      el('span', 'arrow', ' → '),
      el('span', `verdict ${s(r.after)}`, r.after),
    );
    li.append(head);
    const dirs = el('ul', 'directions');
    dirs.append(renderDirection('egress', r.egress), renderDirection('ingress', r.ingress));
    li.append(dirs);
    return li;
  }

  /** @param {string} title @param {unknown} items @param {string} className */
  function renderWorkloads(title, items, className) {
    const lines = list(items);
    if (lines.length === 0) return undefined;
    const box = el('div', `workloads ${className}`);
    box.append(el('h3', 'workloads-title', title));
    const ul = el('ul', 'workload-list');
    for (const w of lines) ul.append(el('li', 'workload', w));
    box.append(ul);
    return box;
  }

  api.register('compare', (/** @type {any} */ body) => {
    const out = [];
    const headline = statusHeadline(body);
    out.push(headline);
    if (s(body && body.summary) !== '') out.push(el('p', 'summary', body.summary));
    out.push(actionBar('compare', body));
    for (const n of list(body && body.namespaces)) {
      const box = el('div', 'namespace');
      box.append(el('h3', 'namespace-title', n.title));
      const ul = el('ul', 'changes');
      for (const r of list(n.rows)) ul.append(renderRow(r));
      box.append(ul);
      out.push(box);
    }
    if (body && body.more) out.push(el('p', 'more', body.more));
    const dd = renderWorkloads('Newly default-deny', body && body.newlyDefaultDeny, 'newly-default-deny');
    if (dd) out.push(dd);
    const un = renderWorkloads('Newly unprotected', body && body.newlyUnprotected, 'newly-unprotected');
    if (un) out.push(un);
    const reveal = Number(body && body.reveal) || 0;
    if (reveal > revealed) {
      revealed = reveal;
      // After the frame has put the section in the document.
      setTimeout(() => headline.scrollIntoView({ block: 'start' }), 0);
    }
    return out;
  });
})();
