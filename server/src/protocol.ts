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
  PolicyReading,
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
  /** The workload's own pod selector (`spec.selector.matchLabels`), when it has one. */
  selector?: Record<string, string>;
  /** Its containers' ports, in declaration order. */
  ports?: { port: number; protocol: string; name?: string }[];
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
  /** True while the first walk of the workspace is under way (`origin` is then `none`): not yet "no inventory". */
  loading?: boolean;
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
  /**
   * What the panel reads beside the preview: the L7 rows of each rule item (parallel to `rules`),
   * what a network policy does to each direction, a tracing policy's hooks. Absent from older servers.
   */
  reading?: PolicyReading & { l7: string[][] };
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
      /** Tracing policies: their hooks and actions in one line (`kprobe tcp_connect → Sigkill`). */
      hooks?: string;
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

// ---------------------------------------------------------------------------------------------
// Connectivity: verdicts, PolicyTests, the matrix and effective policies

/** A place in a file: a rule or a selector a verdict names. */
export interface WireLocation {
  uri: string;
  range: WireRange;
}

/** `allow`, `deny`, or `unknown` (the inputs cannot decide; never a guess). */
export type WireVerdict = 'allow' | 'deny' | 'unknown';

/** One end of a flow, in a PolicyTest's forms (exactly one form each). */
export type WireEndpointSpec =
  | { workload: string }
  | { namespace: string; labels?: Record<string, string> }
  | { service: string }
  | { entity: string }
  | { node: string }
  | { ip: string }
  | { fqdn: string; ip?: string };

/** A flow to judge, as a PolicyTest case writes it. */
export interface WireFlow {
  from: WireEndpointSpec;
  to: WireEndpointSpec;
  /** A port number, a container port name of the destination, or (for a service) a service port. */
  port?: number | string;
  /** TCP when omitted. */
  protocol?: 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';
  icmpType?: number | string;
  http?: { method?: string; path?: string; host?: string; headers?: Record<string, string> };
}

/** A policy a verdict or an effective policy names. */
export interface WirePolicyRef {
  kind: string;
  /** Null for a cluster-wide policy. */
  namespace: string | null;
  name: string;
  /** The file as verdicts name it: its path below its workspace folder. */
  file: string;
  /** 1-based line of the document (or of the subject selector that makes a direction default-deny). */
  line?: number;
  location?: WireLocation;
}

/** One written rule that decided a direction: an item of `ingress`, `ingressDeny`, `egress` or `egressDeny`. */
export interface WireRuleRef extends WirePolicyRef {
  line: number;
  direction: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';
  /** Position of the item in its section. */
  rule: number;
  /** `specs[i]` index; null for `spec`. */
  spec: number | null;
}

/** Why a verdict is unknown: a stable code and a sentence (docs/policy-test.md lists the codes). */
export interface WireUnknown {
  code: string;
  message: string;
}

/** The verdict of one direction: the source's egress or the destination's ingress. */
export interface WireDirectionVerdict {
  verdict: WireVerdict;
  /** `not-enforced`, `not-an-endpoint`, `allowed`, `denied-by-rule`, `default-deny`, `proxy-denied` or `unknown`. */
  state: string;
  reason: string;
  /** The rules that decided: the allowing ones, the deny rule, the L7 rules that refused; empty for default deny. */
  by: WireRuleRef[];
  /** The policies whose subject selector makes the direction default-deny. */
  defaultDenyBy: WirePolicyRef[];
  unknowns: WireUnknown[];
  proxy?: 'http' | 'dns' | 'tls' | 'listener';
}

/** The verdict of a flow. */
export interface WireFlowVerdict {
  verdict: WireVerdict;
  /** One sentence a person can read. */
  reason: string;
  /** The ends and the port as judged, for display. */
  source: string;
  destination: string;
  port: string;
  egress: WireDirectionVerdict;
  ingress: WireDirectionVerdict;
  unknowns: WireUnknown[];
}

/** What a verdict was computed against, in words. */
export interface WireVerdictContext {
  /** Where the policies came from, e.g. `the workspace (5 files)`. */
  policies: string;
  /** The inventory, e.g. `workspace: 12 workloads in 4 namespaces`. */
  inventory: string;
  /** The agent options stated and by whom, or "Cilium's defaults". */
  agent: string;
}

/** A problem of a PolicyTest or of one of its cases, at its line. */
export interface WireTestProblem {
  code: string;
  message: string;
  /** 1-based. */
  line: number;
  range: WireRange;
}

/** A case of a PolicyTest, as listed for the Test Explorer. */
export interface WireTestCaseItem {
  name: string;
  index: number;
  /** 1-based line of the case's `- name:` item. */
  line: number;
  range: WireRange;
}

/** A PolicyTest of a file, as listed for the Test Explorer. */
export interface WireTestItem {
  name: string;
  /** 1-based line of the document. */
  line: number;
  range: WireRange;
  cases: WireTestCaseItem[];
}

/** The result of one case. */
export interface WireCaseResult extends WireTestCaseItem {
  expect: 'allow' | 'deny' | null;
  /** What was found; `unknown` also for a case that could not run. */
  outcome: WireVerdict;
  /** True when the verdict is the expected one. An unknown never passes. */
  pass: boolean;
  /** Null for a case that could not run (see `problems`). */
  verdict: WireFlowVerdict | null;
  problems: WireTestProblem[];
}

/** One PolicyTest's results. */
export interface WireTestRun {
  name: string;
  line: number;
  range: WireRange;
  /** Problems of the document outside its cases (a path that names nothing, a missing name). */
  problems: WireTestProblem[];
  context: WireVerdictContext;
  cases: WireCaseResult[];
}

/**
 * `ciliumPolicy/policyTests` — client → server request: the PolicyTests and their cases, of one
 * file (`textDocument`, read from disk when it is not open) or of the whole workspace (the open
 * documents and the workspace's YAML files). What the Test Explorer shows as test items.
 */
export namespace PolicyTestsRequest {
  export const method = 'ciliumPolicy/policyTests' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    /** One file; every PolicyTest file of the workspace when omitted. */
    textDocument?: { uri: string };
  }
  export interface Result {
    files: { uri: string; tests: WireTestItem[] }[];
  }
}

/**
 * `ciliumPolicy/runPolicyTests` — client → server request: runs the cases of the PolicyTests of a
 * file (all, or the ones named) through the connectivity engine, against the policies, inventory
 * and agent options each test names (the workspace's when it names none), and answers each case's
 * verdict with both directions and the rules that decided, located in the editor.
 */
export namespace RunPolicyTestsRequest {
  export const method = 'ciliumPolicy/runPolicyTests' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    textDocument: { uri: string };
    /** The tests (by name) and, for each, the cases (by name) to run; every test and case when omitted. */
    only?: { test: string; cases?: string[] }[];
  }
  export interface Result {
    uri: string;
    /** The version of the open document that was run; null when it was read from disk. */
    version: number | null;
    tests: WireTestRun[];
  }
}

/**
 * `ciliumPolicy/checkFlow` — client → server request: the verdict of one flow against the
 * workspace's policies, inventory and agent options (as the document named sees them), for the
 * Check Connectivity command and the matrix's cells. `problem` says why the flow could not be
 * judged (an endpoint the inventory lacks, a port name the destination does not declare).
 */
export namespace CheckFlowRequest {
  export const method = 'ciliumPolicy/checkFlow' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    flow: WireFlow;
    /** Whose settings and project file count; the first workspace folder's when omitted. */
    textDocument?: { uri: string };
  }
  export interface Result {
    verdict: WireFlowVerdict | null;
    problem?: string;
    context: WireVerdictContext;
  }
}

/** A port a destination declares. */
export interface WirePort {
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  name?: string;
}

/**
 * `ciliumPolicy/connectivityEndpoints` — client → server request: what a flow can name, from the
 * current inventory: workloads (with the reference a PolicyTest writes and their container
 * ports), services (with their ports), namespaces, nodes and entities. Feeds the Check
 * Connectivity pickers.
 */
export namespace ConnectivityEndpointsRequest {
  export const method = 'ciliumPolicy/connectivityEndpoints' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export type Params = Record<string, never>;
  export interface Result {
    inventory: InventoryStatus;
    workloads: {
      /** What a PolicyTest writes: `NAMESPACE/NAME`, or `Kind/NAMESPACE/NAME` when two kinds share the name. */
      ref: string;
      kind: string;
      namespace: string;
      name: string;
      labels: Record<string, string>;
      ports: WirePort[];
    }[];
    services: {
      ref: string;
      namespace: string;
      name: string;
      ports: { port: number; protocol: string; name?: string }[];
    }[];
    namespaces: string[];
    nodes: string[];
    entities: { name: string; meaning: string }[];
  }
}

/**
 * `ciliumPolicy/addTestCase` — client → server request: the edit that appends a case to a
 * PolicyTest file, keeping its comments and formatting (the case goes after the last case of the
 * test named, or of the file's first PolicyTest; a file without one gets a new PolicyTest
 * document). Answers `null` when the file cannot be read or edited safely (a flow-style list).
 */
export namespace AddTestCaseRequest {
  export const method = 'ciliumPolicy/addTestCase' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    textDocument: { uri: string };
    /** The PolicyTest (by name) to add to; the file's first when omitted. */
    test?: string;
    case: WireFlow & { name: string; expect: 'allow' | 'deny' };
  }
  export type Result = { uri: string; edits: { range: WireRange; newText: string }[]; line: number } | null;
}

/** A workload (or other end) of a connectivity matrix. */
export interface WireMatrixEnd {
  /** The reference a PolicyTest writes (`NAMESPACE/NAME`, `Kind/NAMESPACE/NAME`). */
  ref: string;
  kind: string;
  namespace: string;
  name: string;
  /** Its ports: the destination ports of its column. */
  ports: WirePort[];
  /** True for a workload of the policy's own namespace; false for a peer its rules name. */
  local: boolean;
  location?: WireLocation;
}

/**
 * `ciliumPolicy/connectivityMatrix` — client → server request: for the network policy at a
 * position, the workloads of its namespace and the peers its rules name, and for every pair and
 * each port the destination declares, the verdict (no sentences: a cell explains itself through
 * `ciliumPolicy/checkFlow`). Answers `null` for a document without a network policy.
 */
export namespace ConnectivityMatrixRequest {
  export const method = 'ciliumPolicy/connectivityMatrix' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    textDocument: { uri: string };
    /** Picks the policy in a multi-document file; the first network policy when omitted. */
    position?: WirePosition;
  }
  export type Result = {
    uri: string;
    documentVersion: number | null;
    policy: { kind: string; namespace: string | null; name: string | null; range: WireRange };
    endpoints: WireMatrixEnd[];
    /** One per source × destination × destination port; destinations without ports have no cells. */
    cells: { from: number; to: number; port: number; protocol: string; verdict: WireVerdict }[];
    /** Set when the matrix was cut to its first endpoints. */
    truncated?: { shown: number; total: number };
    context: WireVerdictContext;
  } | null;
}

/** One direction of an endpoint's effective policy. */
export interface WireEndpointDirection {
  state: 'default-deny' | 'allow-all' | 'audit';
  reason: string;
  /** The policies selecting it in this direction. */
  policies: WirePolicyRef[];
  /** Those whose subject selector makes the direction default-deny. */
  defaultDenyBy: WirePolicyRef[];
}

/** An endpoint's effective policy. */
export interface WireEffectivePolicy {
  ingress: WireEndpointDirection;
  egress: WireEndpointDirection;
  policies: WirePolicyRef[];
}

/**
 * `ciliumPolicy/effectivePolicy` — client → server request: a workload's effective policy, each
 * direction `default-deny` (and because of which policies), `allow-all` (nothing selects it) or
 * `audit`. Answers `null` for a workload the inventory lacks.
 */
export namespace EffectivePolicyRequest {
  export const method = 'ciliumPolicy/effectivePolicy' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    endpoint: { kind: string; namespace: string; name: string };
    textDocument?: { uri: string };
  }
  export type Result = (WireEffectivePolicy & { context: WireVerdictContext }) | null;
}

/**
 * `ciliumPolicy/coverage` — client → server request: every workload of the inventory with the
 * state of its ingress and egress (as `cilium-policy coverage --format json` prints them) and
 * whether no policy protects it, for the Endpoints view.
 */
export namespace CoverageRequest {
  export const method = 'ciliumPolicy/coverage' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export type Params = Record<string, never>;
  export interface Result {
    workloads: {
      kind: string;
      namespace: string;
      name: string;
      ingress: 'default-deny' | 'allow-all' | 'audit';
      egress: 'default-deny' | 'allow-all' | 'audit';
      /** True when neither direction is default-deny. */
      unprotected: boolean;
      /** Why, in a few words: which policies make the direction default-deny, or that none selects it. */
      ingressReason: string;
      egressReason: string;
      policies: { kind: string; namespace: string | null; name: string }[];
    }[];
  }
}

// ---------------------------------------------------------------------------------------------
// The Tetragon dry run and kernel targets

/** One recorded event a selector would act on (or cannot decide), for the dry-run section. */
export interface DryRunEventRow {
  /** Identifies the event for `ciliumPolicy/dryRunEvent` (valid until the next run of the document). */
  id: number;
  /** 1-based line of the event in the events file. */
  line: number;
  time?: string;
  node?: string;
  binary?: string;
  arguments?: string;
  /** `namespace/name` of the pod. */
  pod?: string;
  pid?: number;
  match: 'match' | 'unknown';
  reason: string;
}

/** A value seen in the events and how often. */
export interface DryRunCount {
  value: string;
  count: number;
}

/** What one selector of the policy would do to the recorded events. */
export interface DryRunSelectorReport {
  policy: { kind: string; name: string };
  /** "kprobe `sys_openat`". */
  hook: string;
  hookRange: WireRange;
  /** 0-based index of the selector in its hook. */
  selector: number;
  /** The selector's range in the document. */
  range: WireRange;
  actions: { action: string; enforcing: boolean; performed: boolean; argError?: number; argSig?: number }[];
  /** True when an enforcing action (Sigkill, Signal, Override, NotifyEnforcer) would be performed. */
  enforcing: boolean;
  /** Events the selector matches (it is the first that matches). */
  matches: number;
  /** Events where it is the first selector that cannot be decided. */
  unknown: number;
  /** "Sigkill would hit 12 events from 3 binaries in 2 pods". */
  summary: string;
  /** The binaries of the matched events, most frequent first (at most 20), and how many there are. */
  binaries: DryRunCount[];
  distinctBinaries: number;
  /** The pods of the matched events, most frequent first (at most 20); host processes are counted apart. */
  pods: DryRunCount[];
  distinctPods: number;
  hostProcesses: number;
  /** The first events (matches, then unknowns; at most 50). */
  rows: DryRunEventRow[];
  /** Events not in `rows`. */
  moreRows: number;
}

/** A dry run of one document's TracingPolicies against an events file. */
export interface DryRunReport {
  uri: string;
  /** The document version the run was for; clients drop stale answers. */
  documentVersion: number | null;
  /** The events file, as the user chose it. */
  events: string;
  /** What was read: lines, events by kind, lines the reader skipped by why, and whether the file grew. */
  reading: {
    lines: number;
    events: number;
    hookEvents: number;
    otherType: number;
    unknownType: number;
    unparsable: number;
    problems: Record<string, number>;
    grew: boolean;
  };
  matches: number;
  unknown: number;
  noMatch: number;
  /** Matches that meet a performed enforcing action. */
  enforcing: number;
  /** Selectors that match or cannot decide some event: enforcing ones first, then by matches. */
  selectors: DryRunSelectorReport[];
  /** Hooks the dry run could not place, policies the agent would refuse, assumptions made. */
  notes: string[];
  /** Set when the events file could not be read. */
  error?: string;
  /** True when the run was cancelled before the end of the file. */
  aborted?: boolean;
}

/**
 * `ciliumPolicy/dryRun` — client → server request: replays the events file (Tetragon's JSON export,
 * one event per line) against the TracingPolicies of a document, as `cilium-policy dryrun` does,
 * and sums up per selector. The server remembers the file for the document and runs again when
 * the document changes (as you edit), refreshing its CodeLenses; a request for the current version
 * answers from that run. Reports progress (`window/workDoneProgress`) on large files and stops
 * when the request is cancelled. `null` for a document without a TracingPolicy.
 */
export namespace DryRunRequest {
  export const method = 'ciliumPolicy/dryRun' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    textDocument: { uri: string };
    /** The events file (a path on the server's machine). */
    events: string;
    /**
     * LSP work-done progress for a run this request starts: lines and bytes read, on this token.
     * Cancelling such a request stops the run and keeps the document's previous dry run
     * (answered with `RequestCancelled` and {@link ReadCancelled}).
     */
    workDoneToken?: string | number;
  }
  export type Result = DryRunReport | null;
}

/**
 * `ciliumPolicy/dryRunEvent` — client → server request: one event of the last dry run (a row's
 * `id`), as indented JSON (at most 64 KiB), for its details. `null` when the run is gone.
 */
export namespace DryRunEventRequest {
  export const method = 'ciliumPolicy/dryRunEvent' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    textDocument: { uri: string };
    id: number;
  }
  export type Result = { line: number; events: string; text: string } | null;
}

/** How a policy (or one hook) fares on a kernel target. */
export type KernelSupportState = 'loads' | 'reduced' | 'depends' | 'unknown' | 'no';

/** The node pools × hooks matrix of one TracingPolicy. */
export interface KernelTargetsPolicy {
  kind: string;
  name: string;
  range: WireRange;
  hooks: { label: string; range: WireRange }[];
  targets: { name: string; description: string; nodes: number; state: KernelSupportState }[];
  /** `cells[t][h]`: target `t`, hook `h`; the reasons name each element that is not fully supported. */
  cells: { state: KernelSupportState; reasons: string[] }[][];
}

/**
 * `ciliumPolicy/kernelTargets` — client → server request: for the TracingPolicies of a document,
 * which kernel targets (declared in `ciliumPolicy.tetragon.targets` or `.cilium-policy.yaml`, and
 * the node pools of the inventory's Nodes) load each hook: loads, loads with reduced features,
 * depends on the node's configuration, unknown, or does not load. For the status bar and the
 * preview panel. `null` for a document without a TracingPolicy.
 */
export namespace KernelTargetsRequest {
  export const method = 'ciliumPolicy/kernelTargets' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    textDocument: { uri: string };
    /** Picks the policy in a multi-document file; all TracingPolicies when omitted. */
    position?: WirePosition;
  }
  export type Result = {
    uri: string;
    documentVersion: number | null;
    /** How many targets there are (0: none declared and no Nodes in the inventory). */
    targets: number;
    policies: KernelTargetsPolicy[];
  } | null;
}

/**
 * `ciliumPolicy/lintFiles` — client → server request: lints files of the workspace that are not
 * open and publishes their diagnostics, for "Lint Workspace". The client picks the files (it knows
 * `files.exclude` and `.gitignore`) and sends them in batches, so results arrive as they come and
 * the run can stop between batches. Open documents are skipped: they are linted as they change.
 */
export namespace LintFilesRequest {
  export const method = 'ciliumPolicy/lintFiles' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    /** `file:` URIs. */
    uris: string[];
  }
  export interface Result {
    /** One entry per URI that holds a policy (others are left out). */
    files: { uri: string; errors: number; warnings: number; other: number }[];
    /** URIs that could not be read (missing, too large, not a file). */
    unreadable: string[];
  }
}
/**
 * `ciliumPolicy/clearLintFiles` — client → server request: "Clear Workspace Lint Results". The
 * server publishes empty diagnostics for the closed files `ciliumPolicy/lintFiles` linted (those
 * named, or all of them) and stops following them on disk. Open documents keep their diagnostics.
 */
export namespace ClearLintFilesRequest {
  export const method = 'ciliumPolicy/clearLintFiles' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    /** `file:` URIs to clear; absent for every file a workspace lint covered. */
    uris?: string[];
  }
  export interface Result {
    /** How many files had their results cleared. */
    cleared: number;
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
    /**
     * LSP work-done progress: when given, the server reports `$/progress` (begin, report with the
     * lines and bytes read, end) on this token while it reads.
     */
    workDoneToken?: string | number;
  }
}

/**
 * What a cancelled `ciliumPolicy/loadFlows` or `ciliumPolicy/dryRun` answers: the JSON-RPC error
 * `RequestCancelled` (-32800) with this as `data`. The read stopped where it stood; what was loaded
 * before (the previous flow log, the previous dry run) stays.
 */
export interface ReadCancelled {
  /** Lines read before the read stopped. */
  lines: number;
  bytesRead: number;
  /** The file's size when reading started. */
  totalBytes: number | null;
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

/**
 * `ciliumPolicy/gitRevisions` — client → server request: the revisions "Compare Connectivity
 * with…" offers: `HEAD` first, then the latest commits and the branches and tags of the git
 * repository holding the workspace folder, read with read-only git commands (argument arrays, no
 * shell). Only in a trusted workspace (a repository's git configuration can run programs): in an
 * untrusted one, and when git is missing or the folder is not in a repository, `revisions` is empty
 * and `error` says why.
 */
export namespace GitRevisionsRequest {
  export const method = 'ciliumPolicy/gitRevisions' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    /** The workspace folder (a `file:` URI); default: the first one. */
    folder?: string;
  }
  export interface Result {
    revisions: GitRevisionItem[];
    error?: string;
  }
}

/** A revision offered for a comparison. */
export interface GitRevisionItem {
  /** What is passed to `ciliumPolicy/compareConnectivity` (`HEAD`, a branch, a commit name). */
  rev: string;
  kind: 'head' | 'commit' | 'branch' | 'remote' | 'tag';
  /** The commit's first line (commits), or the commit it points at, shortened (branches, tags). */
  description: string;
  /** Committer date, ISO 8601 (may be empty). */
  date: string;
  /** The branch checked out. */
  current?: boolean;
}

/**
 * `ciliumPolicy/compareConnectivity` — client → server request: the connectivity diff between the
 * policy files of the workspace folder at a git revision and the working tree as the editor holds
 * it (open documents with their unsaved text, the folder's other policy files from disk), over the
 * preview's inventory and the agent options of its `cilium-config` ConfigMap: the verdict of every
 * workload pair and port, plus the entities, CIDRs and FQDNs the policies name, before and after,
 * as `cilium-policy diff REV` computes it. Git is only read, and only in a trusted workspace;
 * `error` says why there is no diff (untrusted workspace, git missing, not a repository, unknown
 * or refused revision).
 */
export namespace CompareConnectivityRequest {
  export const method = 'ciliumPolicy/compareConnectivity' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, CompareResult, void>(method);
  export interface Params {
    /** A revision (`HEAD`, `main`, `origin/main~2`, a commit name); ranges and options are refused. */
    revision: string;
    /** The workspace folder (a `file:` URI); default: the first one. */
    folder?: string;
    /** Most changes to return (default 500); the rest are counted in `more`. */
    limit?: number;
  }
}

/** The connectivity diff between a revision and the working tree. */
export interface CompareResult {
  /** The revision as asked, and its commit (empty when there is an `error`). */
  revision: string;
  commit: string;
  /** Cells (source, destination, port) compared. */
  cells: number;
  /** Cells now allowed that were not (`+N` in the status bar) and now denied that were not (`−N`). */
  newlyAllowed: number;
  newlyDenied: number;
  /** Cells whose verdict changed to or from `unknown`. */
  otherChanges: number;
  /** The changes grouped by namespace (the destination's, else the source's; `''` for none), sorted. */
  namespaces: { namespace: string; changes: CompareChange[] }[];
  /** Changes left out by `limit`. */
  more: number;
  /** Workloads a direction of which becomes default-deny, and those that lose every default deny. */
  newlyDefaultDeny: CompareWorkload[];
  newlyUnprotected: CompareWorkload[];
  /** Files of the revision left out (symbolic links, too large), with why. */
  skipped: { path: string; reason: string }[];
  error?: string;
}

/** One changed cell of the diff. */
export interface CompareChange {
  /** `shop/frontend`, `world (198.51.100.7)`, `10.0.0.0/8 (10.0.0.1)`. */
  source: string;
  destination: string;
  /** `TCP/8080`. */
  port: string;
  before: 'allow' | 'deny' | 'unknown';
  after: 'allow' | 'deny' | 'unknown';
  /** What decides each direction after the change, in words, with the places of the deciding rules. */
  egress: CompareDirection;
  ingress: CompareDirection;
  reason: string;
}

/** One direction of a changed cell, after the change. */
export interface CompareDirection {
  verdict: 'allow' | 'deny' | 'unknown';
  /** `default deny by CiliumNetworkPolicy shop/api`, `CiliumNetworkPolicy shop/api egress[0]`. */
  text: string;
  /** The rules (or, for a default deny, the policies' selectors) that decide, in working-tree files. */
  decidedBy: { text: string; uri: string; range: WireRange }[];
}

/** A workload of the diff's lists. */
export interface CompareWorkload {
  namespace: string;
  kind: string;
  name: string;
  directions: ('ingress' | 'egress')[];
}

/**
 * `ciliumPolicy/flowWorkloads` — client → server request: the workloads the loaded flow log
 * (`ciliumPolicy/loadFlows`) knows, by namespace and own labels, with how many recorded flows each
 * sent or received, for "Generate Policy from Flows…". Null when no flow log is loaded.
 */
export namespace FlowWorkloadsRequest {
  export const method = 'ciliumPolicy/flowWorkloads' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export type Params = Record<string, never> | null;
  export type Result = { workloads: FlowWorkloadItem[] } | null;
}

/** A workload of a flow log. */
export interface FlowWorkloadItem {
  namespace: string;
  /** The recorded workload's name (or its `app` label, or a pod's name). */
  name: string;
  /** Its own labels as recorded (without the ones that change every rollout), plain keys. */
  labels: Record<string, string>;
  /** Recorded flows it sent or received (a flow to itself counts twice). */
  flows: number;
}

/**
 * `ciliumPolicy/generateFromFlows` — client → server request: the least-privilege
 * CiliumNetworkPolicy (ingress and egress) admitting exactly the recorded non-reply flows of one
 * workload of the loaded flow log that went through, with the DNS rules its `toFQDNs` items need,
 * and a PolicyTest with one case per distinct flow, as one YAML text of two documents. `error`
 * when no flow log is loaded or no workload has these labels in that namespace.
 */
export namespace GenerateFromFlowsRequest {
  export const method = 'ciliumPolicy/generateFromFlows' as const;
  export const messageDirection: MessageDirection = 'clientToServer';
  export const type = new RequestType<Params, Result, void>(method);
  export interface Params {
    /** A `FlowWorkloadItem`'s namespace and labels. */
    namespace: string;
    labels: Record<string, string>;
  }
  export interface Result {
    yaml: string;
    /** The policy's name (`<workload>-from-flows`). */
    name: string;
    /** Distinct flows the PolicyTest has a case for, and recorded flows admitted. */
    cases: number;
    flows: number;
    error?: string;
  }
}
