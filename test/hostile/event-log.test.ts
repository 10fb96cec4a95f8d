// SPDX-License-Identifier: Apache-2.0
/**
 * Hostile Tetragon event logs through the real CLI (`cilium-policy dryrun`): a line longer than the
 * reader keeps, NUL bytes, invalid UTF-8, a nesting bomb, numbers beyond a double, a line of JSON
 * that is no event, and hostile text inside an event (escape sequences, line breaks, bidi
 * overrides in the binary, arguments and pod name). Every bad line is counted and skipped, the
 * good events around it are still dry-run, and the text output shows hostile text as escapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { runCli, tempTree } from '../cli/run-cli.js';

const POLICY = path.join(REPO_ROOT, 'examples', 'tracingpolicy-block-readers.yaml');

/** An openat by `binary` in a pod the example policy selects (`app: api`). */
function openat(binary: string, args: string, pod = 'api-1'): string {
  return JSON.stringify({
    process_kprobe: {
      process: {
        pid: 4242,
        binary,
        arguments: args,
        pod: { namespace: 'shop', name: pod, pod_labels: { app: 'api' } },
      },
      function_name: '__x64_sys_openat',
      args: [{ int_arg: -100 }, { string_arg: '/etc/shadow' }, { int_arg: 0 }],
    },
    node_name: 'worker-1',
  });
}

interface Out {
  events: number;
  skipped: { otherType: number; unparsable: number; unknownType: number };
  results: { eventLine: number; match: string }[];
}

test('bad lines of an event log are counted and skipped; the events around them are dry-run', () => {
  const good = Buffer.from(`${openat('/usr/bin/cat', '/etc/shadow')}\n`);
  const parts: Buffer[] = [
    good, // line 1
    Buffer.from(`{"process_kprobe":{"x":"${'a'.repeat(17 * 1024 * 1024)}"}}\n`), // 2: longer than 16 MiB
    good, // 3
    Buffer.from('{"process_kprobe":{"process":{"binary":"/usr/bin/cat\u0000"}}}\n'), // 4: NUL
    Buffer.concat([
      Buffer.from('{"process_kprobe":{"process":{"binary":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}}\n'),
    ]), // 5
    Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}\n`), // 6: nesting bomb
    Buffer.from('{"process_kprobe":{"process":{"pid":1e400}}}\n'), // 7
    Buffer.from('{"process_kprobe":{"process":{"pid":123456789012345678901}}}\n'), // 8
    Buffer.from('[1,2,3]\n'), // 9: JSON, but no event
    good, // 10
  ];
  const dir = tempTree({});
  const file = path.join(dir, 'events.jsonl');
  fs.writeFileSync(file, Buffer.concat(parts));
  const r = runCli(['dryrun', '--format', 'json', '--events', file, POLICY]);
  assert.equal(r.status, 1, r.stderr); // the good lines meet a Sigkill
  const out = JSON.parse(r.stdout) as Out;
  assert.equal(out.events, 10);
  assert.deepEqual(out.skipped, { otherType: 0, unparsable: 7, unknownType: 0 });
  assert.deepEqual([...new Set(out.results.filter((x) => x.match === 'match').map((x) => x.eventLine))], [1, 3, 10]);
  // The summary says which kinds were skipped, where the first one was, and never quotes a line.
  const note = /note: .*events\.jsonl: (.*)/.exec(r.stderr)?.[1] ?? '';
  for (const kind of ['1 too long', '1 nul byte', '1 invalid utf8', '1 too deep', '2 number out of range'])
    assert.ok(note.includes(kind), `${kind} in: ${note}`);
  assert.match(note, /first unusable at line 2/);
  assert.ok(r.stderr.length < 2000, `stderr stays short (${r.stderr.length} characters)`);
  assert.doesNotMatch(r.stderr, /aaaa/);
});

test('hostile text inside events is shown as escapes in text output and exact in JSON', () => {
  const binary = '/usr/bin/cat';
  const args = 'x\u001b]0;owned\u0007\nforged.yaml:1:1: error cilium-fake \u202eevil';
  const pod = 'api-\u001b[2K\u009bpod';
  const dir = tempTree({});
  const file = path.join(dir, 'events.jsonl');
  fs.writeFileSync(file, `${openat(binary, args, pod)}\n`);
  const text = runCli(['dryrun', '--events', file, POLICY]);
  assert.equal(text.status, 1, text.stderr);
  const lines = text.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, text.stdout);
  assert.doesNotMatch(text.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  assert.ok(lines[0]!.includes('x\\x1b]0;owned\\x07\\nforged.yaml:1:1: error cilium-fake \\u202eevil'), lines[0]);
  assert.ok(lines[0]!.includes('api-\\x1b[2K\\x9bpod'), lines[0]);
  const json = runCli(['dryrun', '--format', 'json', '--events', file, POLICY]);
  const out = JSON.parse(json.stdout) as { results: { process: { arguments?: string; pod?: string } }[] };
  assert.equal(out.results[0]!.process.arguments, args);
  assert.ok(out.results[0]!.process.pod?.includes(pod), out.results[0]!.process.pod);
});
