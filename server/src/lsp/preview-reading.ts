// SPDX-License-Identifier: Apache-2.0
/**
 * The `reading` of a preview entry (`PolicyPreviewEntry.reading`): the core's reading of the
 * policy document the preview was computed for, with the L7 rows of each rule item. Kept out of
 * `preview-service.ts` so that shared file only calls it.
 */
import type { PolicyDocument } from '../core/document.js';
import type { PreviewDetails } from '../core/preview.js';
import { l7RowsAt, readPolicy } from '../core/preview-readable.js';
import type { PolicyPreviewEntry } from '../protocol.js';

/** `{ reading }` for the document of `details` among `documents`, or nothing when it is not found. */
export function readingOf(
  documents: readonly PolicyDocument[],
  details: PreviewDetails,
): Pick<PolicyPreviewEntry, 'reading'> {
  const doc = documents.find((d) => d.span.start === details.span.start && d.span.end === details.span.end);
  if (!doc) return {};
  return { reading: { ...readPolicy(doc), l7: details.rules.map((r) => l7RowsAt(doc, r.path)) } };
}
