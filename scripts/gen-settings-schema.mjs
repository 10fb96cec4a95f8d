// SPDX-License-Identifier: Apache-2.0
// Writes the generated settings schemas (run `npx tsc -b` first):
//   - package.json: `ciliumPolicy.ciliumVersion`/`tetragonVersion` as enums of the supported releases,
//     and one property per rule id and diagnostic code under `ciliumPolicy.rules`;
//   - schemas/cilium-policy-config.json: the schema of `.cilium-policy.yaml`.
// test/unit/settings-schema.test.ts fails when either is stale.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const { projectConfigSchema, rulesProperties, versionSchema } = require(
  path.join(root, 'out/server/src/lint/settings-schema.js'),
);

/** package.json with the generated parts replaced (key order kept). */
export function updatedPackage(pkg) {
  const props = pkg.contributes.configuration.properties;
  for (const product of ['cilium', 'tetragon']) {
    const key = `ciliumPolicy.${product}Version`;
    const { enum: releases, markdownEnumDescriptions } = versionSchema(product);
    const p = props[key];
    delete p.pattern;
    delete p.patternErrorMessage;
    delete p.examples;
    p.enum = releases;
    p.markdownEnumDescriptions = markdownEnumDescriptions;
  }
  props['ciliumPolicy.rules'].properties = rulesProperties();
  return pkg;
}

/**
 * JSON as package.json writes it, with each severity list of the rules (and the release lists) on one
 * line, which Prettier keeps: the generated block stays a few lines per rule.
 */
export function packageJsonText(pkg) {
  return `${JSON.stringify(pkg, null, 2)}\n`.replace(/(?<="enum": )\[\n(\s+"[^"\n]*",?\n)+\s*\]/g, (list) => {
    const items = [...list.matchAll(/"[^"\n]*"/g)].map((m) => m[0]);
    const generated =
      items.join() === '"off","error","warning","information"' || items.every((i) => /^"\d+\.\d+"$/.test(i));
    return generated ? `[${items.join(', ')}]` : list;
  });
}

const pkgFile = path.join(root, 'package.json');
const pkg = updatedPackage(JSON.parse(readFileSync(pkgFile, 'utf8')));
writeFileSync(pkgFile, packageJsonText(pkg));
writeFileSync(
  path.join(root, 'schemas/cilium-policy-config.json'),
  `${JSON.stringify(projectConfigSchema(), null, 2)}\n`,
);
console.log('package.json and schemas/cilium-policy-config.json written');
