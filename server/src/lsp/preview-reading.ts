// SPDX-License-Identifier: Apache-2.0
/**
 * The `reading` of a preview entry (`PolicyPreviewEntry.reading`): the core's reading of the
 * policy document the preview was computed for, with the L7 rows of each rule item. Kept out of
 * `preview-service.ts` so that shared file only calls it.
 */
import type { PolicyDocument } from '../core/document.js';
import type { PolicyInput, PreviewDetails, SelectingPolicy } from '../core/preview.js';
import { hooksSummary, l7RowsAt, readPolicy } from '../core/preview-readable.js';
import type { PolicyPreviewEntry } from '../protocol.js';

/**
 * `{ reading }` for the document of `details` among `documents`, or nothing when it is not found.
 * `cilium` is the document's target release: Kafka and generic L7 rows say what it does with them.
 */
export function readingOf(
  documents: readonly PolicyDocument[],
  details: PreviewDetails,
  cilium?: string,
): Pick<PolicyPreviewEntry, 'reading'> {
  const doc = documents.find((d) => d.span.start === details.span.start && d.span.end === details.span.end);
  if (!doc) return {};
  return { reading: { ...readPolicy(doc), l7: details.rules.map((r) => l7RowsAt(doc, r.path, cilium)) } };
}

/** `{ hooks }` for a tracing policy that selects a workload: its hooks and actions in one line. */
export function hooksSummaryOf(inputs: readonly PolicyInput[], p: SelectingPolicy): { hooks?: string } {
  const input = inputs.find(
    (i) => (i.file ?? '') === p.file && i.doc.span.start <= p.span.start && p.span.end <= i.doc.span.end,
  );
  if (input?.doc.kind?.language !== 'tetragon-tracing-policy') return {};
  return { hooks: hooksSummary(input.doc) };
}
