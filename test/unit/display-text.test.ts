// SPDX-License-Identifier: Apache-2.0
/** `core/display-text.ts`: visible escapes for controls and bidi characters, and Markdown quoting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControls, hasControls, markdownCode, markdownText } from '../../server/src/core/display-text.js';

test('every C0 control, DEL and every C1 control becomes a visible escape; printable ASCII stays', () => {
  for (let c = 0; c <= 0x9f; c++) {
    const ch = String.fromCharCode(c);
    const out = escapeControls(ch);
    const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
    if (!control) {
      assert.equal(out, ch);
      continue;
    }
    assert.notEqual(out, ch, `U+${c.toString(16)}`);
    assert.ok(out.startsWith('\\'), out);
    assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(out), `the escape of U+${c.toString(16)} is printable`);
  }
  assert.equal(escapeControls('\n\r\t'), '\\n\\r\\t');
  assert.equal(escapeControls('\x1b[1A'), '\\x1b[1A');
  assert.equal(escapeControls('\u009b'), '\\x9b');
  assert.equal(escapeControls('\0'), '\\x00');
});

test('bidirectional formatting characters and line separators become \\uXXXX', () => {
  const bidi = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
  for (const c of [...bidi, 0x2028, 0x2029]) {
    const out = escapeControls(`a${String.fromCharCode(c)}b`);
    assert.equal(out, `a\\u${c.toString(16).padStart(4, '0')}b`);
  }
});

test('ordinary text of every script, emoji, backslashes and quotes are unchanged', () => {
  for (const s of [
    'app.kubernetes.io/name',
    'C:\\policies\\a.yaml',
    'Größe',
    'שלום',
    'مرحبا',
    '日本語',
    '🙂👍🏽',
    '"\'`',
  ]) {
    assert.equal(escapeControls(s), s);
    assert.equal(hasControls(s), false);
  }
  assert.equal(hasControls('a\u202eb'), true);
  assert.equal(hasControls('a\nb'), true);
});

test('markdownCode fences user text so Markdown does not apply, whatever backticks it holds', () => {
  assert.equal(markdownCode('app'), '`app`');
  assert.equal(markdownCode('a`b'), '``a`b``');
  assert.equal(markdownCode('``x'), '``` ``x ```');
  assert.equal(markdownCode(''), '` `');
  assert.equal(
    markdownCode('[x](command:workbench.action.terminal.new)'),
    '`[x](command:workbench.action.terminal.new)`',
  );
  assert.equal(markdownCode('a\x1b]8;;u\x1b\\b\n'), '`a\\x1b]8;;u\\x1b\\b\\n`');
  // The code span ends only at a run of exactly the fence's length: none inside is that long.
  for (const s of ['`', '``', 'a```b', '`a`']) {
    const out = markdownCode(s);
    const fence = /^`+/.exec(out)![0];
    const inner = out.slice(fence.length, out.length - fence.length);
    for (const run of inner.matchAll(/`+/g)) assert.notEqual(run[0].length, fence.length, out);
  }
});

test('markdownText escapes what would become a link, image, HTML, an entity or an autolink', () => {
  const out = markdownText('![i](https://evil/x.png) [c](command:x) <img src=x> &lt; *b* https://x');
  for (const bad of ['&lt;', 'https://']) assert.ok(!out.includes(bad), `${bad} in ${out}`);
  // Every character Markdown would act on is preceded by a backslash.
  assert.doesNotMatch(out, /(^|[^\\])[![\]()<>*]/, out);
  assert.equal(markdownText('plain words'), 'plain words');
});
