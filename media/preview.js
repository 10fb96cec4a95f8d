// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The preview panel's webview: the frame (header, inventory line, message) and a registry of
 * section renderers. Each section script in `media/sections/` calls
 * `window.ciliumPreview.register(kind, render)`; the extension posts a model whose sections each
 * name their `kind`, and this file hands each body to its renderer. Every string goes in with
 * `textContent`, graphs are built with `createElementNS`, and clicks are sent back as the opaque
 * target or action ids the model carries. No framework, no remote resource, and no string is ever
 * parsed as HTML.
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

  /**
   * Sends a section's action id back (a button the section drew, e.g. "explain this cell").
   * @param {string} section @param {unknown} action
   */
  function act(section, action) {
    if (typeof action === 'string' && action !== '') vscode.postMessage({ type: 'act', section, action });
  }

  /**
   * A section's headline, announced to screen readers as a status: `body.headline`, styled by
   * `body.headlineKind`.
   * @param {any} body
   */
  function statusHeadline(body) {
    const headline = el('p', `headline ${s(body && body.headlineKind)}`, body && body.headline);
    headline.setAttribute('role', 'status');
    return headline;
  }

  /**
   * A row of buttons for a section's `body.actions` (`{ id, label }`), each sending its id back.
   * @param {string} section @param {any} body
   */
  function actionBar(section, body) {
    const bar = el('div', 'actions');
    for (const a of list(body && body.actions)) {
      const b = /** @type {HTMLButtonElement} */ (el('button', `${section}-action`, a.label));
      b.type = 'button';
      b.addEventListener('click', () => act(section, s(a.id)));
      bar.append(b);
    }
    return bar;
  }

  /**
   * The rules that decided (`{ text, target }`), each a button revealing it in its policy; none
   * when there are none.
   * @param {unknown} rules
   */
  function decidedBy(rules) {
    const items = list(rules);
    if (items.length === 0) return undefined;
    const ul = el('ul', 'rules');
    for (const rule of items) {
      const item = el('li', 'decided-by');
      item.append(action(rule.text, rule.target, `Reveal ${s(rule.text)} in the policy`, 'rule-ref'));
      ul.append(item);
    }
    return ul;
  }

  /** @type {Map<string, (body: any, api: any) => Node | Node[]>} */
  const renderers = new Map();

  /** What section scripts use: the DOM helpers above and the registry. */
  const api = {
    el,
    svg,
    s,
    list,
    open,
    act,
    clickable,
    action,
    statusHeadline,
    actionBar,
    decidedBy,
    /** @param {string} kind @param {(body: any, api: any) => Node | Node[]} render */
    register(kind, render) {
      renderers.set(kind, render);
    },
  };
  // @ts-ignore -- the one global the section scripts read
  window.ciliumPreview = api;

  // A note the panel itself writes (a section that failed).
  api.register('note', (body) => {
    const p = el('p', 'message', body && body.text);
    p.setAttribute('role', 'note');
    return p;
  });

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

  /** @param {any} section */
  function renderSection(section) {
    const kind = s(section && section.kind);
    const box = el('section', `panel-section section-${kind.replace(/[^a-z0-9-]/g, '')}`);
    if (section && section.title) box.append(el('h2', 'section-title', section.title));
    const draw = renderers.get(kind);
    if (!draw) {
      box.append(el('p', 'message', `No renderer for the ${kind} section.`));
      return box;
    }
    try {
      const drawn = draw(section.body, api);
      for (const n of Array.isArray(drawn) ? drawn : [drawn]) if (n) box.append(n);
    } catch (e) {
      box.append(
        el('p', 'error', `The ${kind} section could not be drawn: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
    return box;
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
    for (const section of list(model.sections)) body.push(renderSection(section));
    root.replaceChildren(...body);
  }

  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data && typeof data === 'object' && data.type === 'render') render(data.model);
  });
  // Section scripts load after this one; they have all registered once the document is parsed.
  window.addEventListener('DOMContentLoaded', () => vscode.postMessage({ type: 'ready' }));
})();
