// SPDX-License-Identifier: Apache-2.0
/**
 * Values seen in recorded events are inserted into policies by completion (`yamlScalar` in
 * `server/src/lsp/dryrun-service.ts`): whatever the value, YAML must read it back as the same
 * string, in a block sequence item as in a mapping value.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { yamlScalar } from '../../server/src/lsp/dryrun-service.js';

const VALUES = [
  '/usr/bin/cat',
  '/etc/shadow',
  'README',
  '-c',
  '--port 8080',
  '8080',
  '0x10',
  '1e3',
  '.5',
  'true',
  'No',
  'null',
  '~',
  '',
  ' leading space',
  'trailing space ',
  'a: b',
  'key:',
  '#comment',
  'a #b',
  '[x]',
  '{x}',
  '*alias',
  '&anchor',
  '!tag',
  '|block',
  '>fold',
  '%directive',
  '@at',
  '`tick',
  '"quoted"',
  "'single'",
  'tab\there',
  'line\nbreak',
  'nul\u0000byte',
  'bell\u0007',
  'bidi\u202eevil',
  '\u00e9t\u00e9',
  '@abstract-socket',
  'a,b',
  'a=b',
  '-',
  '- x',
  '? q',
  '...',
  '---',
  'a:b',
  '-1',
  '+1',
  '0o7',
  'NaN',
  '.nan',
  '.inf',
  'Y',
  'on',
];

test('every seen value reads back as the same string where completion puts it', () => {
  for (const v of VALUES) {
    const s = yamlScalar(v);
    assert.equal((parse(`k: ${s}\n`) as { k: unknown }).k, v, `mapping value ${JSON.stringify(v)} → ${s}`);
    assert.deepEqual(parse(`- ${s}\n`), [v], `sequence item ${JSON.stringify(v)} → ${s}`);
  }
});

test('paths and plain words stay unquoted', () => {
  for (const v of ['/usr/bin/cat', '/usr/local/bin/shop-api', 'README', 'sshd']) assert.equal(yamlScalar(v), v);
});

test('invisible and bidi characters are inserted as escapes', () => {
  for (const v of ['bidi\u202eevil', 'zero\u200bwidth', 'bom\ufeff', 'del\u007f', 'sep\u2028x']) {
    const s = yamlScalar(v);
    assert.match(s, /^"[\x20-\x7e]*"$/, `${JSON.stringify(v)} → ${s}`);
    assert.equal((parse(`k: ${s}\n`) as { k: unknown }).k, v);
  }
});
