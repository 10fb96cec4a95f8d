// SPDX-License-Identifier: Apache-2.0
/**
 * The wire contract between the cilium-policy language server and its clients: every custom
 * LSP message, declared once, with its direction, its purpose and a typed `type` object that
 * both ends use (`connection.onRequest(X.type, …)` on the server, `client.sendRequest(X.type, …)`
 * in the VS Code client), so a payload cannot change shape on one side only. Other editors can
 * ignore the messages (they are optional extras on top of standard LSP).
 *
 * `docs/lsp-extensions.md` documents each message; `test/unit/protocol-docs.test.ts` checks that
 * the two name the same methods with the same directions. Payloads reuse the core's types
 * through `client-safe.ts`, the one other server module the client may import.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type {
  BuiltPolicy,
  InventoryOrigin,
  PolicyPreview,
  PolicyTemplate,
  RuleDirection,
  SelectionRole,
  WorkloadRef,
} from './client-safe.js';

/** Who sends a message. Mirrors `MessageDirection` of vscode-languageserver-protocol. */
export type MessageDirection = 'clientToServer' | 'serverToClient' | 'both';

/** Zero-based line and UTF-16 character, as in LSP. */
export interface WirePosition {
  line: number;
  character: number;
}

/** A range in a text document, as in LSP. */
export interface WireRange {
  start: WirePosition;
  end: WirePosition;
}

/** One policy document of a file, as summarised for the status bar. */
export interface PolicyDocumentStatus {
  /** The resource kind, e.g. `CiliumNetworkPolicy`. */
  kind: string;
  /** `metadata.name`, when set. */
  name?: string;
  /** `metadata.namespace`, when set. */
  namespace?: string;
  /** The document's range in the file. */
  range: WireRange;
  /** Number of error-severity findings in this document. */
  errors: number;
  /** Number of warning-severity findings in this document. */
  warnings: number;
  /** True when the document was skipped (templated) rather than validated. */
  skipped: boolean;
}

/**
 * `ciliumPolicy/documentStatus` — server → client notification, sent after every lint of a
 * document (as you type, on save, on settings changes). It tells the client which policy kinds
 * the file holds and whether each validates, so the status bar can show it without re-parsing.
 * Sent with an empty `policies` list when a file holds no policy (so the client can hide itself).
 */
export namespace DocumentStatusNotification {
  export const method = 'ciliumPolicy/documentStatus' as const;
  export const messageDirection: MessageDirection = 'serverToClient';
  export const type = new NotificationType<Params>(method);
  export interface Params {
    /** The document's URI. */
    uri: string;
    /** The document version that was linted. */
    version: number | null;
    /** One entry per policy document, in file order. Other Kubernetes objects are not listed. */
    policies: PolicyDocumentStatus[];
    /** Set when the whole file was skipped (too large, binary), with the reason. */
    skippedReason?: string;
  }
}

/**
 * `initializationOptions` of `initialize` the server understands; every field is optional.
 */
export interface InitializationOptions {
  /** `{ ciliumPolicy: { … } }`, for clients that push settings rather than answer `workspace/configuration`. */
  settings?: unknown;
  /**
   * Whether the user trusts the workspace (VS Code's workspace trust). Until it is true, the
   * workspace's `.cilium-policy.yaml` cannot set the keys that make the server read files outside
   * the policies (`tetragon.binaryRoot`). Absent means not trusted.
   */
  workspaceTrusted?: boolean;
}

/**
 * `ciliumPolicy/workspaceTrust` — client → server notification, sent when the user grants the
 * workspace trust after the server started. The server reads `.cilium-policy.yaml` again with the
 * keys only a trusted workspace may set, and lints the open documents again.
 */
export namespace WorkspaceTrustNotification {
  export const method = 'ciliumPolicy/workspaceTrust' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export interface Params {
    trusted: boolean;
  }
  export const type = new NotificationType<Params>(method);
}

// ---------------------------------------------------------------------------------------------
// Endpoint preview

/** A workload as the preview shows it, with where its manifest is (when it came from a file). */
export interface WireEndpoint {
  /** Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, Node or CiliumEndpoint. */
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  serviceAccount?: string;
  /** The manifest that defines it, for "open manifest"; absent for snapshot and cluster inventories. */
  location?: { uri: string; range: WireRange };
}

/** Which inventory the preview uses and what it holds. */
export interface InventoryStatus {
  /** `none` until an inventory was loaded (the `cilium/selects-nothing` diagnostic is then off). */
  origin: InventoryOrigin | 'none';
  /** One line for the status bar, e.g. "workspace: 12 workloads in 4 namespaces". */
  description: string;
  /** Number of endpoints (workloads) in the inventory. */
  endpoints: number;
  /** Set when loading the inventory failed (unreadable snapshot, truncated JSON); the previous one stays in use. */
  error?: string;
}

/** One selector of a policy and what it selects in the inventory (what a CodeLens summarises). */
export interface WireSelection {
  /** `endpointSelector`, `nodeSelector`, `fromEndpoints`, `toEndpoints`, `fromNodes`, `toNodes`, `toServices`, `podSelector`, `containerSelector`, `services`, `backendServices`. */
  role: SelectionRole;
  /** Path of the selector in the document, e.g. `["spec", "ingress", 0, "fromEndpoints", 1]`. */
  path: (string | number)[];
  range: WireRange;
  /** The selector as the agent matches it, after namespace scoping. */
  selector: string;
  /** Rewrites the agent applies, and why nothing matched when that is known. */
  notes: string[];
  endpoints: WireEndpoint[];
}

/** One policy document's preview. `preview` has exactly the shape `cilium-policy preview --format json` prints. */
export interface PolicyPreviewEntry {
  preview: PolicyPreview;
  /** The policy document's range. */
  range: WireRange;
  selections: WireSelection[];
  /** Parallel to `preview.rules`: where each rule item is. */
  rules: { direction: RuleDirection; index: number; path: (string | number)[]; range: WireRange }[];
}

/** The answer to {@link EndpointPreviewRequest}. */
export interface EndpointPreview {
  uri: string;
  /** The document version the preview was computed for; clients drop stale answers. */
  documentVersion: number | null;
  inventory: InventoryStatus;
  /** The policy at the requested position, or every policy of the file when no position was given. */
  policies: PolicyPreviewEntry[];
}

/**
 * `ciliumPolicy/endpointPreview` — client → server request: which workloads the policy at a
 * position selects and which peers each of its rules admits, against the current inventory.
 * Sent by the preview panel when the cursor or the document changes (debounced). Answers `null`
 * for a document that holds no policy.
 */
export namespace EndpointPreviewRequest {
  export const method = 'ciliumPolicy/endpointPreview' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    textDocument: { uri: string };
    /** Picks the policy in a multi-document file; all policies when omitted. */
    position?: WirePosition;
  }
  export type Result = EndpointPreview | null;
}

/**
 * `ciliumPolicy/setInventory` — client → server request: chooses where endpoints come from.
 * `workspace` indexes the workspace's manifests (the default); `snapshot` reads a saved
 * `kubectl get pods,namespaces -A -o json` file; `cluster` hands over JSON the client obtained
 * from the user's own kubectl (the server itself never runs a program). Answers the new status.
 */
export namespace SetInventoryRequest {
  export const method = 'ciliumPolicy/setInventory' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export type Params =
    | { source: 'workspace' }
    | { source: 'snapshot'; path: string }
    | { source: 'cluster'; json: string; context: string };
  export type Result = InventoryStatus;
}

/**
 * `ciliumPolicy/inventory` — client → server request: the endpoints of the current inventory, for
 * the endpoints tree view.
 */
export namespace InventoryRequest {
  export const method = 'ciliumPolicy/inventory' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export type Params = Record<string, never>;
  export interface Result {
    status: InventoryStatus;
    endpoints: WireEndpoint[];
  }
}

/**
 * `ciliumPolicy/endpointPolicies` — client → server request: the reverse question for one
 * workload: which policies (open documents and workspace policy files) select it, and whether it
 * is default-deny for ingress or egress because of them.
 */
export namespace EndpointPoliciesRequest {
  export const method = 'ciliumPolicy/endpointPolicies' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    endpoint: { kind: string; namespace: string; name: string };
  }
  export interface Result {
    policies: {
      uri: string;
      kind: string;
      name: string | null;
      namespace: string | null;
      range: WireRange;
      ingress: boolean;
      egress: boolean;
      defaultDeny: { ingress: boolean; egress: boolean };
    }[];
    defaultDeny: { ingress: boolean; egress: boolean };
  }
}

/**
 * `ciliumPolicy/inventoryChanged` — server → client notification: the inventory was (re)loaded or
 * changed (a manifest was edited, a snapshot re-read). Clients refresh the status bar, the
 * endpoints view and the preview panel.
 */
export namespace InventoryChangedNotification {
  export const method = 'ciliumPolicy/inventoryChanged' as const;
  export const messageDirection: MessageDirection = 'serverToClient';
  export const type = new NotificationType<Params>(method);
  export type Params = InventoryStatus;
}

// ---------------------------------------------------------------------------------------------
// The New Policy wizard

/**
 * `ciliumPolicy/policyTemplates` — client → server request: the starter policies the New Policy
 * wizard offers, built from the bundled snippet files (the same bodies completion offers), in
 * snippet-file order. Empty when the snippet files could not be read.
 */
export namespace PolicyTemplatesRequest {
  export const method = 'ciliumPolicy/policyTemplates' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export type Params = Record<string, never>;
  export interface Result {
    templates: PolicyTemplate[];
  }
}

/**
 * `ciliumPolicy/buildPolicy` — client → server request: the text of one template, prefilled for
 * a workload when one is given (its namespace, its stable labels as the selector, a policy name
 * after it). Answers `null` for an unknown template id.
 */
export namespace BuildPolicyRequest {
  export const method = 'ciliumPolicy/buildPolicy' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    /** A template's `id` (its snippet prefix). */
    template: string;
    workload?: WorkloadRef;
  }
  export type Result = BuiltPolicy | null;
}

/**
 * `ciliumPolicy/manifestWorkloads` — client → server request: the workloads (Pods, Deployments,
 * StatefulSets, DaemonSets, Jobs, CronJobs, ReplicaSets) a manifest text defines, in file order,
 * for "Create Policy for This Workload". The client sends the text it has (an editor's unsaved
 * text, or the file as read), so the file need not be open nor inside the workspace.
 */
export namespace ManifestWorkloadsRequest {
  export const method = 'ciliumPolicy/manifestWorkloads' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    uri: string;
    text: string;
  }
  export interface Result {
    workloads: WorkloadRef[];
  }
}

/**
 * `ciliumPolicy/loadFlows` — client → server request: read a Hubble flow log (`hubble observe -o
 * json`, or the flow exporter's file) for replay, or forget the loaded one (`path: null`). The file
 * is streamed line by line; the flows are kept grouped by the question they ask, so a later
 * `ciliumPolicy/replay` judges them again without reading the file. `error` is set when the file
 * could not be read (nothing is loaded then).
 */
export namespace LoadFlowsRequest {
  export const method = 'ciliumPolicy/loadFlows' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, FlowLogStatus, void>(method);
  export interface Params {
    /** An absolute file path, or null to forget the loaded log. */
    path: string | null;
  }
}

/** A loaded flow log: how many records it had and what was skipped. */
export interface FlowLogStatus {
  /** The file, or null when none is loaded. */
  path: string | null;
  /** Flows judged (records that were not skipped). */
  flows: number;
  /** Distinct questions the flows ask. */
  questions: number;
  /** Skipped records by kind: `reply`, `notFlow`, `unparsable`, then any other kind seen. */
  skipped: Record<string, number>;
  /** The first lines that could not be read, with why. */
  problems: { line: number; message: string }[];
  /** Why the file could not be read; absent when it was. */
  error?: string;
}

/**
 * `ciliumPolicy/replay` — client → server request: the loaded flows judged against the policies
 * as they stand now (open documents, with their unsaved text, and the workspace's policy files),
 * grouped by source → destination:port, newly denied first. A flow is newly denied when it was
 * recorded FORWARDED and the policies now deny it, newly allowed when policy dropped it and they now
 * allow it. Null when no flow log is loaded.
 */
export namespace ReplayRequest {
  export const method = 'ciliumPolicy/replay' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    /** Most groups to return (default 200); the rest are counted in `more`. */
    limit?: number;
  }
  export type Result = ReplayResult | null;
}

/** The replay of a loaded flow log. */
export interface ReplayResult {
  log: FlowLogStatus;
  verdicts: { allow: number; deny: number; unknown: number };
  /** Recorded FORWARDED flows the policies now deny (what makes `cilium-policy replay` exit 1). */
  newlyDenied: number;
  newlyAllowed: number;
  groups: ReplayGroup[];
  /** Groups left out by `limit`. */
  more: number;
}

/** One group of equal flows (same source, destination, port and request). */
export interface ReplayGroup {
  /** For `ciliumPolicy/admitFlows`; valid while the same flow log is loaded. */
  id: number;
  source: string;
  destination: string;
  /** `TCP/8080`, `ICMPv4 type 8`. */
  port: string;
  /** `GET /v1/items`, `DNS api.stripe.com`, or absent. */
  request?: string;
  flows: number;
  forwarded: number;
  verdict: 'allow' | 'deny' | 'unknown';
  change: 'none' | 'newly-denied' | 'newly-allowed';
  /** Records that change (newly denied or newly allowed). */
  changed: number;
  reason: string;
  firstTime: string;
  lastTime: string;
  sourcePods: string[];
  destinationPods: string[];
  /** The rules (or, for default deny, the policies' selectors) that decided. */
  decidedBy: { text: string; uri: string; range: WireRange }[];
}

/**
 * `ciliumPolicy/admitFlows` — client → server request: the narrowest rule items that admit a
 * newly denied group of the loaded flows (the peer as recorded, without the labels that change
 * every rollout; the port and protocol; `toFQDNs` and the DNS rule it needs for a name the DNS proxy
 * saw; the recorded HTTP requests where the proxy refused them), as edits of the policies that
 * deny them. The server applies them to a copy and checks with the verdict engine that the group
 * becomes allowed and that no other recorded flow that was denied does; `error` says why there
 * is no fix (a deny rule decides, the policy is in a flow-style section, the check failed).
 */
export namespace AdmitFlowsRequest {
  export const method = 'ciliumPolicy/admitFlows' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    /** A `ReplayGroup.id`. */
    group: number;
  }
  export interface Result {
    /** `Admit shop/worker → shop/api:TCP/8080 in CiliumNetworkPolicy shop/backend (egress)`. */
    title: string;
    edits: { uri: string; range: WireRange; newText: string }[];
    error?: string;
  }
}
