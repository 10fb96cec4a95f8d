// SPDX-License-Identifier: Apache-2.0
/**
 * The New Policy wizard's requests: the templates (the bodies of the bundled snippets), a template
 * built for a workload, and the workloads a manifest defines. The client only shows pickers and
 * inserts the text; what a template is and how a workload fills it in is decided here, by the core.
 */
import type { Connection } from 'vscode-languageserver';
import { manifestPart, workloadPorts } from '../core/inventory.js';
import { buildPolicy, templatesFromSnippets, type PolicyTemplate } from '../core/templates.js';
import { loadSnippetFiles } from '../io/snippet-files.js';
import { BuildPolicyRequest, ManifestWorkloadsRequest, PolicyTemplatesRequest } from '../protocol.js';
import { checked, describe, is, params } from './guard.js';
import type { Session } from './session.js';

/** A workload as the wizard sends it (`WorkloadRef`). */
const WORKLOAD = is.object({
  kind: is.string,
  name: is.string,
  namespace: is.string,
  labels: is.record(is.string),
});

/** Registers the wizard's requests. `snippetsDir` is for tests; the bundled snippets by default. */
export function registerTemplates(connection: Connection, session: Session, snippetsDir?: string): void {
  let templates: PolicyTemplate[] | undefined;
  /** Read once; a missing or broken snippet file leaves the wizard empty rather than the server down. */
  const load = (): PolicyTemplate[] => {
    if (templates) return templates;
    try {
      templates = templatesFromSnippets(loadSnippetFiles(snippetsDir));
    } catch (e) {
      session.log(`cilium-policy: the snippet files could not be read: ${describe(e)}`);
      templates = [];
    }
    return templates;
  };

  connection.onRequest(
    PolicyTemplatesRequest.type,
    checked(PolicyTemplatesRequest.method, params.none, () => ({ templates: load() }), session.log),
  );
  connection.onRequest(
    BuildPolicyRequest.type,
    checked(
      BuildPolicyRequest.method,
      is.object({ template: is.string, workload: is.optional(WORKLOAD) }),
      (params: BuildPolicyRequest.Params) => {
        const template = load().find((t) => t.id === params?.template);
        if (!template) return null;
        return buildPolicy(template, params.workload ? { workload: params.workload } : {});
      },
      session.log,
    ),
  );
  connection.onRequest(
    ManifestWorkloadsRequest.type,
    checked(
      ManifestWorkloadsRequest.method,
      is.object({ uri: is.string, text: is.string }),
      (params: ManifestWorkloadsRequest.Params) => {
        const workloads = manifestPart(params.uri, params.text).endpoints.map((e) => {
          const ports = workloadPorts(e);
          return {
            kind: e.kind,
            name: e.name,
            namespace: e.namespace,
            labels: { ...e.labels },
            ...(e.selector ? { selector: { ...e.selector } } : {}),
            ...(ports.length > 0 ? { ports } : {}),
          };
        });
        return { workloads };
      },
      session.log,
    ),
  );
}
