// SPDX-License-Identifier: Apache-2.0
/**
 * Runs rules over one document and turns their path-based findings into span-based ones.
 * A rule that throws produces one `internal/rule-failed` information finding and nothing else;
 * the other rules still run.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair, Scalar } from 'yaml';
import { CODES, type Finding, type Span } from '../core/findings.js';
import { locate, nodeSpan } from '../core/document.js';
import type { PolicyDocument } from '../core/document.js';
import type { Rule, RuleContext, RuleFinding } from './rule.js';

/** Runs one rule on a document (whatever its kinds); a throw becomes one `internal/rule-failed` finding. */
export function runRule(rule: Rule, ctx: RuleContext): Finding[] {
  let found: readonly RuleFinding[];
  try {
    found = rule.check(ctx);
  } catch (e) {
    return [
      {
        code: CODES.ruleFailed,
        severity: 'information',
        message: `Rule ${rule.id} failed on this document (${(e as Error).message}); other rules still ran. Please report this.`,
        span: { start: ctx.doc.span.start, end: ctx.doc.span.start },
      },
    ];
  }
  const out: Finding[] = [];
  for (const f of found) {
    out.push({
      code: rule.id,
      severity: f.severity ?? rule.defaultSeverity,
      message: f.message,
      span: spanFor(ctx.doc, f),
      ...(f.data ? { data: f.data } : {}),
      ...(f.fixes && f.fixes.length ? { fixes: f.fixes } : {}),
    });
  }
  return out;
}

/** The span a rule finding points at: the key, the value, or a part of a string value. */
export function spanFor(doc: PolicyDocument, f: Pick<RuleFinding, 'path' | 'target' | 'inString'>): Span {
  const loc = locate(doc.yaml, f.path);
  const fallback = nodeSpan(loc.nearest) ?? { start: doc.span.start, end: doc.span.start };
  if (f.inString && isScalar(loc.node)) {
    const inner = stringContentSpan(loc.node as Scalar);
    if (inner)
      return { start: inner.start + f.inString.start, end: inner.start + Math.max(f.inString.end, f.inString.start) };
  }
  if (f.target === 'value' || (f.target === undefined && !loc.key)) {
    const value = nodeSpan(loc.node as Node | undefined);
    if (value && value.end > value.start) {
      // A list item or map that is a whole object: underline its first key, not the whole block.
      if (isMap(loc.node) && f.target === undefined) {
        const first = loc.node.items[0] as Pair | undefined;
        return nodeSpan(first?.key as Node | undefined) ?? value;
      }
      if (isSeq(loc.node) && f.target === undefined && loc.key) return nodeSpan(loc.key as Node) ?? value;
      return value;
    }
  }
  return nodeSpan(loc.key as Node | undefined) ?? nodeSpan(loc.node as Node | undefined) ?? fallback;
}

/** The span of a scalar's characters between its quotes (for plain scalars, the whole scalar). */
function stringContentSpan(node: Scalar): Span | undefined {
  const range = node.range;
  if (!range) return undefined;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  // Escapes inside quoted scalars would shift offsets; rules report positions in the value as written.
  return quoted ? { start: range[0] + 1, end: range[1] - 1 } : { start: range[0], end: range[1] };
}
