// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The replay section of the preview panel: recorded Hubble flows judged against the policies as
 * they stand, grouped by source → destination:port, newly denied first, each with the rules that
 * decided (`client/src/replay-model.ts` builds the body). Drawn with the frame's DOM helpers
 * (`media/preview.js`): text only, never HTML.
 */
(function () {
  'use strict';

  // @ts-ignore -- set by media/preview.js, which loads first
  const api = window.ciliumPreview;
  const { el, s, list, act, statusHeadline, actionBar, decidedBy } = api;

  /** @param {any} r */
  function renderRequest(r) {
    const li = el('li', `request ${s(r.change)} verdict-${s(r.verdict)}`);
    const head = el('div', 'request-head');
    head.append(
      el('span', `verdict ${s(r.verdict)}`, r.verdict),
      el('span', 'what', r.what),
      el('span', 'counts', ` — ${s(r.counts)}`),
    );
    li.append(head);
    if (s(r.time) !== '' || s(r.pods) !== '') {
      const seen = el('div', 'recorded');
      if (s(r.time) !== '') seen.append(el('span', 'time', r.time));
      if (s(r.pods) !== '') seen.append(el('span', 'pods', r.pods));
      li.append(seen);
    }
    const rules = decidedBy(r.rules);
    if (rules) li.append(rules);
    else if (s(r.reason) !== '') li.append(el('div', 'reason', r.reason));
    if (s(r.admit) !== '') {
      const b = /** @type {HTMLButtonElement} */ (
        el('button', 'replay-action admit', 'Add Rule Admitting These Flows')
      );
      b.type = 'button';
      b.title = 'Add the narrowest rule that admits these recorded flows (checked with the verdict engine)';
      b.addEventListener('click', () => act('replay', s(r.admit)));
      li.append(b);
    }
    return li;
  }

  /** @param {any} c */
  function renderConnection(c) {
    const box = el('div', `connection ${s(c.change)}`);
    box.append(el('h3', 'connection-title', c.title));
    const ul = el('ul', 'requests');
    for (const r of list(c.requests)) ul.append(renderRequest(r));
    box.append(ul);
    return box;
  }

  api.register('replay', (/** @type {any} */ body) => {
    const out = [];
    const headline = statusHeadline(body);
    out.push(headline);
    out.push(el('p', 'log', body && body.log));
    for (const p of list(body && body.problems)) out.push(el('p', 'problem', p));
    out.push(actionBar('replay', body));
    for (const c of list(body && body.connections)) out.push(renderConnection(c));
    if (body && body.more) out.push(el('p', 'more', body.more));
    return out;
  });
})();
