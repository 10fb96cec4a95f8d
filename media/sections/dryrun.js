// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The dry-run section of the preview panel: what the policy's selectors would do to recorded
 * Tetragon events, one group per selector, enforcing ones first (`client/src/dryrun-model.ts`
 * builds the body). A row opens the event's details, a heading the selector in the policy.
 * Drawn with the frame's DOM helpers (`media/preview.js`): text only, never HTML.
 */
(function () {
  'use strict';

  // @ts-ignore -- set by media/preview.js, which loads first
  const api = window.ciliumPreview;
  const { el, s, list, action, act } = api;

  /** @param {string} text @param {unknown} id @param {string} className */
  function button(text, id, className) {
    const b = /** @type {HTMLButtonElement} */ (el('button', `link ${className}`, text));
    b.type = 'button';
    b.addEventListener('click', () => act('dryrun', id));
    return b;
  }

  /** @param {any} r */
  function renderRow(r) {
    const li = el('li', `event ${r.match === 'match' ? 'match' : 'unknown'}`);
    li.title = s(r.title);
    const open = button(r.text, r.action, 'event-text');
    open.setAttribute('aria-label', `Show the event: ${s(r.text)}`);
    li.append(
      el('span', `verdict ${r.match === 'match' ? 'match' : 'unknown'}`, r.match === 'match' ? 'match' : 'undecided'),
      open,
      el('span', 'detail', r.detail),
    );
    return li;
  }

  /** @param {any} g */
  function renderGroup(g) {
    const box = el('section', `selector${g.enforcing ? ' enforcing' : ''}`);
    const head = el('h3', 'selector-head');
    head.append(
      action(g.heading, g.target, `Reveal ${s(g.heading)} in the policy`, 'selector-title'),
      el('span', 'on', ' on '),
      action(g.hook, g.hookTarget, `Reveal ${s(g.hook)} in the policy`, 'hook'),
      el('span', `actions${g.enforcing ? ' enforcing' : ''}`, g.actions),
    );
    box.append(head, el('p', 'summary', g.summary));
    if (s(g.binaries)) box.append(el('p', 'binaries', `Binaries: ${s(g.binaries)}`));
    if (s(g.pods)) box.append(el('p', 'pods', `Pods: ${s(g.pods)}`));
    const rows = list(g.rows);
    if (rows.length > 0) {
      const ul = el('ul', 'events');
      for (const r of rows) ul.append(renderRow(r));
      box.append(ul);
    }
    if (s(g.more)) box.append(el('p', 'more', g.more));
    return box;
  }

  api.register('dryrun', (/** @type {any} */ body) => {
    const out = [];
    const bar = el('div', 'dryrun-bar');
    if (s(body && body.source)) bar.append(el('span', 'source', body.source));
    if (body && body.pickAction)
      bar.append(
        button(s(body.source) ? 'Choose another events file…' : 'Choose an events file…', body.pickAction, 'pick'),
      );
    if (body && body.clearAction) bar.append(button('Stop the dry run', body.clearAction, 'clear'));
    out.push(bar);
    if (body && body.error) {
      const p = el('p', 'error', body.error);
      p.setAttribute('role', 'alert');
      out.push(p);
    }
    if (s(body && body.headline)) out.push(el('p', `headline${body.enforcing ? ' enforcing' : ''}`, body.headline));
    if (s(body && body.reading)) out.push(el('p', 'reading', body.reading));
    if (body && body.message) out.push(el('p', 'message', body.message));
    for (const g of list(body && body.groups)) out.push(renderGroup(g));
    const notes = list(body && body.notes);
    if (notes.length > 0) {
      const ul = el('ul', 'notes');
      for (const n of notes) ul.append(el('li', 'note', n));
      out.push(ul);
    }
    return out;
  });
})();
