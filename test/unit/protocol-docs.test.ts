// SPDX-License-Identifier: Apache-2.0
/**
 * `docs/lsp-extensions.md` and `server/src/protocol.ts` describe the same custom messages: every
 * message declared in the protocol has a section in the document, every section names a message
 * the protocol declares, and both agree on its kind (request or notification) and direction.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import * as protocol from '../../server/src/protocol.js';
import { REPO_ROOT } from '../support/paths.js';

interface Described {
  readonly kind: string;
  readonly direction: string;
}

const DIRECTION_WORDS: Record<string, string> = {
  clientToServer: 'client → server',
  serverToClient: 'server → client',
  both: 'both',
};

/** Every message namespace of protocol.ts, by method: what its `type` and `messageDirection` say. */
function declared(): Map<string, Described> {
  const out = new Map<string, Described>();
  for (const [name, value] of Object.entries(protocol)) {
    if (typeof value !== 'object' || value === null || !('method' in value)) continue;
    const ns = value as { method: unknown; messageDirection: unknown; type: unknown };
    assert.equal(typeof ns.method, 'string', `${name}.method`);
    const kind =
      ns.type instanceof RequestType ? 'request' : ns.type instanceof NotificationType ? 'notification' : 'neither';
    assert.notEqual(kind, 'neither', `${name}.type is a RequestType or a NotificationType`);
    assert.equal((ns.type as { method: string }).method, ns.method, `${name}.type carries ${name}.method`);
    out.set(ns.method as string, { kind, direction: DIRECTION_WORDS[String(ns.messageDirection)] ?? '?' });
  }
  return out;
}

/** Every `## `/`### ` section of the document titled with a method, by method: its Kind and Direction rows. */
function documented(markdown: string): Map<string, Described> {
  const out = new Map<string, Described>();
  const sections = markdown.split(/^(?=#{2,3} )/m);
  for (const section of sections) {
    const title = /^#{2,3} `(ciliumPolicy\/[A-Za-z]+)`\s*$/m.exec(section);
    if (!title) continue;
    const method = title[1]!;
    assert.ok(!out.has(method), `${method} is documented once`);
    const row = (name: string): string => new RegExp(`^\\| ${name} \\| (.+?) \\|$`, 'm').exec(section)?.[1] ?? '';
    out.set(method, { kind: row('Kind'), direction: row('Direction') });
  }
  return out;
}

const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'lsp-extensions.md'), 'utf8');

test('every message of protocol.ts is documented, and every documented message exists', () => {
  const code = declared();
  const prose = documented(doc);
  assert.ok(code.size >= 5, `protocol.ts declares its messages (${code.size})`);
  assert.deepEqual([...prose.keys()].sort(), [...code.keys()].sort());
});

test('the documentation gives each message the kind and direction protocol.ts declares', () => {
  const code = declared();
  const prose = documented(doc);
  for (const [method, described] of code) assert.deepEqual(prose.get(method), described, method);
});

test('the introduction names every message', () => {
  const intro = doc.slice(0, doc.indexOf('\n## '));
  for (const method of declared().keys())
    assert.ok(intro.includes(`\`${method}\``), `the introduction names ${method}`);
});
