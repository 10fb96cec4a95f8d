// SPDX-License-Identifier: Apache-2.0
/**
 * `ciliumPolicy/kernelTargets`: the node pools × hooks matrix of a document's TracingPolicies, for
 * the status bar and the preview panel. The targets are the ones `tetragon/kernel-targets` checks
 * against (declared in the settings or `.cilium-policy.yaml`, and the node pools of the
 * inventory's Nodes); the decision per hook is `core/tetragon/kernel-support.ts#supportMatrix`.
 */
import type { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { locate, nodeSpan, type PolicyDocument } from '../core/document.js';
import { supportMatrix } from '../core/tetragon/kernel-support.js';
import { kernelTargets, type KernelTarget } from '../core/tetragon/targets.js';
import type { EndpointIndex } from '../core/preview.js';
import { KernelTargetsRequest, type KernelTargetsPolicy, type WireRange } from '../protocol.js';
import { checked, is } from './guard.js';
import type { Session } from './session.js';

/** Longest text of a label, description or reason sent to the client, in characters. */
const MAX_TEXT = 500;

function bound(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

export class KernelTargetsService {
  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
    private readonly inventory: () => EndpointIndex | undefined,
  ) {}

  register(): void {
    this.connection.onRequest(
      KernelTargetsRequest.type,
      checked(
        KernelTargetsRequest.method,
        is.object({
          textDocument: is.object({ uri: is.string }),
          position: is.optional(is.object({ line: is.uint, character: is.uint })),
        }),
        (params: KernelTargetsRequest.Params) => this.answer(params.textDocument.uri, params.position),
        this.session.log,
      ),
    );
  }

  private async answer(
    uri: string,
    position: KernelTargetsRequest.Params['position'],
  ): Promise<KernelTargetsRequest.Result> {
    const doc = this.session.documents.get(uri);
    if (!doc) return null;
    const file = this.session.parse(doc);
    let docs = file.documents.filter(
      (d) =>
        (d.kind?.kind === 'TracingPolicy' || d.kind?.kind === 'TracingPolicyNamespaced') &&
        !d.templated &&
        d.data !== undefined,
    );
    if (position) {
      const offset = doc.offsetAt(position);
      const at = docs.filter((d) => offset >= d.span.start && offset <= d.span.end);
      if (at.length) docs = at;
    }
    if (docs.length === 0) return null;
    const settings = await this.session.settings.get(uri);
    const targets = kernelTargets(settings.tetragonTargets, this.inventory()?.inventory.nodes ?? []);
    return {
      uri,
      documentVersion: doc.version,
      targets: targets.length,
      policies: targets.length ? docs.map((d) => policyMatrix(doc, d, targets)) : [],
    };
  }
}

function policyMatrix(doc: TextDocument, d: PolicyDocument, targets: readonly KernelTarget[]): KernelTargetsPolicy {
  const m = supportMatrix(d.data, targets);
  const range = (span: { start: number; end: number }): WireRange => ({
    start: doc.positionAt(span.start),
    end: doc.positionAt(span.end),
  });
  const spanOf = (path: readonly (string | number)[]) => {
    const l = locate(d.yaml, path);
    return nodeSpan(l.node as never) ?? nodeSpan(l.key as never) ?? { start: d.span.start, end: d.span.start };
  };
  return {
    kind: d.kind?.kind ?? 'TracingPolicy',
    name: bound(d.name ?? ''),
    range: range(d.span),
    hooks: m.hooks.map((h) => ({ label: bound(h.label), range: range(spanOf(h.path)) })),
    targets: m.targets.map((t) => ({
      name: bound(t.name),
      description: bound(t.description),
      nodes: t.nodes,
      state: t.state,
    })),
    cells: m.cells.map((row) => row.map((c) => ({ state: c.state, reasons: c.reasons.map(bound) }))),
  };
}
