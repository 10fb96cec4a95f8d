// SPDX-License-Identifier: Apache-2.0
/**
 * The endpoints section of the preview panel: which workloads the policy under the cursor selects
 * and which peers each rule admits, from `ciliumPolicy/endpointPreview`, laid out by
 * `preview-model.ts` and drawn by `media/sections/endpoints.js`.
 */
import { EndpointPreviewRequest } from '../../server/src/protocol.js';
import { buildPreviewModel } from './preview-model.js';
import type { PreviewContext, PreviewSection, SectionResult } from './preview-sections.js';

/** The body `media/sections/endpoints.js` draws: a note, or the policies of the document. */
export interface EndpointsSectionBody {
  readonly message?: string;
  readonly policies: ReturnType<typeof buildPreviewModel>['model']['policies'];
}

export class EndpointsSection implements PreviewSection {
  readonly kind = 'endpoints';

  async provide(context: PreviewContext): Promise<SectionResult | undefined> {
    const { document, position, link, fileName, idPrefix } = context;
    const version = document.version;
    const result = await link.request(EndpointPreviewRequest.type, {
      textDocument: { uri: document.uri.toString() },
      ...(position ? { position } : {}),
    });
    // An answer for an older text is dropped; the panel asks again for the new one.
    if (context.token.isCancellationRequested || document.version !== version) return undefined;
    if (result && result.documentVersion !== null && result.documentVersion !== version) return undefined;
    if (!result) {
      const body: EndpointsSectionBody = {
        message: 'This file holds no Cilium network policy, tracing policy or Envoy config.',
        policies: [],
      };
      return { section: { kind: this.kind, body } };
    }
    const built = buildPreviewModel(result, fileName, idPrefix);
    const body: EndpointsSectionBody = {
      policies: built.model.policies,
      ...(built.model.message ? { message: built.model.message } : {}),
    };
    return { section: { kind: this.kind, body }, targets: built.targets };
  }
}
