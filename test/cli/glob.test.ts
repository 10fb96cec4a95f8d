// SPDX-License-Identifier: Apache-2.0
/** The CLI's small glob matcher, on its own. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { compileGlob, expandBraces, hasGlobSyntax } from '../../server/src/cli/glob.js';

test('braces expand, nested and in several places; a pair without a comma is literal', () => {
  assert.deepEqual(expandBraces('a/{b,c}/*.{yaml,yml}'), ['a/b/*.yaml', 'a/b/*.yml', 'a/c/*.yaml', 'a/c/*.yml']);
  assert.deepEqual(expandBraces('{x,{y,z}w}'), ['x', 'yw', 'zw']);
  assert.deepEqual(expandBraces('{solo}.yaml'), ['{solo}.yaml']);
});

test('the literal folder is split off and the rest matches relative paths', () => {
  const g = compileGlob('policies/team-?/**/*.yaml');
  assert.equal(g.base, 'policies');
  assert.equal(g.maxDepth, Infinity);
  assert.ok(g.regex.test('team-a/x.yaml'));
  assert.ok(g.regex.test('team-a/deep/er/x.yaml'));
  assert.ok(!g.regex.test('team-ab/x.yaml'));
  assert.ok(!g.regex.test('team-a/x.yml'));
  assert.ok(!g.regex.test('team-a/.hidden/x.yaml'), 'wildcards do not enter dot folders');
  const flat = compileGlob('*.yaml');
  assert.equal(flat.base, '');
  assert.equal(flat.maxDepth, 0);
  assert.ok(flat.regex.test('a.yaml'));
  assert.ok(!flat.regex.test('d/a.yaml'));
  assert.ok(!flat.regex.test('.a.yaml'));
  assert.equal(compileGlob('/abs/dir/*.yml').base, '/abs/dir');
  assert.ok(compileGlob('a+b(1)/*.yaml').regex.test('x.yaml'), 'regex characters in names are literal');
  assert.ok(compileGlob('*(1).yaml').regex.test('p(1).yaml'));
});

test('only *, ? and { mark a glob', () => {
  assert.ok(hasGlobSyntax('a/*.yaml'));
  assert.ok(hasGlobSyntax('a?.yaml'));
  assert.ok(hasGlobSyntax('{a,b}.yaml'));
  assert.ok(!hasGlobSyntax('plain/file.yaml'));
});
