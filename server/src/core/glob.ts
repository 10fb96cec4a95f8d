// SPDX-License-Identifier: Apache-2.0
/**
 * A small glob matcher for the CLI and for paths written in workspace files (a PolicyTest's
 * `policies` and `inventory`): `*`, `**`, `?` and `{a,b}`.
 *
 * Shells usually expand globs before we see them; this exists for quoted patterns
 * (`cilium-policy lint 'policies/**\/*.yaml'`), for npm scripts and for shells that do not expand.
 * It is deliberately small, so the CLI needs no glob dependency.
 */

/** True when an argument contains a character this matcher treats specially. */
export function hasGlobSyntax(arg: string): boolean {
  return /[*?{]/.test(arg);
}

/**
 * Expands `{a,b}` alternatives into separate patterns (nested braces work).
 * A brace pair without a top-level comma is kept as literal text.
 */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') {
      if (depth === 0) {
        open = i;
        commas.length = 0;
      }
      depth++;
    } else if (c === ',' && depth === 1) {
      commas.push(i);
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0 && commas.length > 0) {
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const out: string[] = [];
        for (let k = 0; k + 1 < bounds.length; k++) {
          const alt = pattern.slice(bounds[k]! + 1, bounds[k + 1]);
          out.push(...expandBraces(head + alt + tail));
        }
        return out;
      }
    }
  }
  return [pattern];
}

/** One brace-free pattern split into the literal folder to start from and a matcher for the rest. */
export interface CompiledGlob {
  /** The leading segments without glob syntax, as written (`''` when the pattern starts with a wildcard). */
  readonly base: string;
  /** Matches a path relative to `base`, with `/` separators. */
  readonly regex: RegExp;
  /** How many folders deep below `base` a match can be; `Infinity` with `**`. */
  readonly maxDepth: number;
}

function escapeRegex(s: string): string {
  return s.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
}

/** A segment such as `*.yaml` as a regular expression source; wildcards do not match a leading dot. */
function segmentSource(segment: string): string {
  let src = '';
  for (const c of segment) {
    if (c === '*') src += '[^/]*';
    else if (c === '?') src += '[^/]';
    else src += escapeRegex(c);
  }
  return /^[*?]/.test(segment) ? `(?!\\.)${src}` : src;
}

/** Compiles one pattern that has already been through `expandBraces`. */
export function compileGlob(pattern: string): CompiledGlob {
  const segments = pattern.split('/');
  let literal = 0;
  // The last segment always goes to the matcher, so that `dir/file.yaml` style patterns still match files.
  while (literal < segments.length - 1 && !/[*?]/.test(segments[literal]!)) literal++;
  const baseSegments = segments.slice(0, literal);
  // `/abs/...` splits into ['', 'abs', ...]; joining keeps the leading slash.
  const base = baseSegments.length === 1 && baseSegments[0] === '' ? '/' : baseSegments.join('/');
  const rest = segments.slice(literal).filter((s, i, all) => s !== '' || i === all.length - 1);
  const anyDir = '(?:(?!\\.)[^/]+/)*';
  let src = '';
  rest.forEach((seg, i) => {
    const last = i === rest.length - 1;
    if (seg === '**') src += last ? `${anyDir}(?!\\.)[^/]+` : anyDir;
    else src += segmentSource(seg) + (last ? '' : '/');
  });
  return {
    base,
    regex: new RegExp(`^${src}$`, 'u'),
    maxDepth: rest.includes('**') ? Infinity : rest.length - 1,
  };
}
