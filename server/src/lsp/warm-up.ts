// SPDX-License-Identifier: Apache-2.0
/**
 * Start-up work done while the editor is still starting, so that the first file a user opens is
 * linted, and the first completion and hover answered, by warm code.
 *
 * Two parts, one small step per turn of the event loop, and none while a lint runs or is due (a
 * file opened while the server starts is linted first):
 *
 * - **Schemas**: every kind's validator is compiled and yaml-language-server resolves every kind's
 *   schema (both are needed whatever the user opens).
 * - **Code**: a built-in sample file with a document of each kind (and a few typical mistakes) is
 *   parsed, linted, converted to diagnostics, hovered and completed a few times. The first run of
 *   the parser, the rules and yaml-language-server's completion costs two to three times what later
 *   runs cost (V8 compiles the code on its first runs, tables are built on first use): measured on
 *   the 10,000-line benchmark file, the first parse and lint took about 1.5 s of CPU and the third
 *   about 0.4 s. This part stops as soon as the user opens a document, which then warms the code
 *   itself.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseFile } from '../core/document.js';
import { KINDS } from '../core/kinds.js';
import type { SchemaValidator } from '../core/schema-validation.js';
import { LintCache, lintFile } from '../lint/lint.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { documentStatus, toDiagnostic } from './convert.js';
import { describe } from './guard.js';
import type { Session } from './session.js';
import type { YamlFeatures } from './yaml-service.js';

/** How often the sample is linted, hovered and completed. */
const CODE_ROUNDS = 6;

/** How long the warm-up waits before it looks again whether the lints are done. */
const BUSY_RETRY_MS = 50;

/** Hovers and completions per step. */
const PLACES_PER_STEP = 6;

/**
 * The sample: one document of each of our kinds as users write them, with a few typical mistakes
 * (an unknown field, a port out of range, a misspelt syscall, a bad CIDR) so the paths that report
 * findings are warmed too. Written for the warm-up; its findings are never shown.
 */
export const WARM_UP_SAMPLE = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: warm-up-api
  namespace: warm-up
  labels:
    team: payments
spec:
  description: Lets the storefront reach the API and the API reach its database and DNS.
  endpointSelector:
    matchLabels:
      app: api
      k8s:io.kubernetes.pod.namespace: warm-up
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: storefront
    - matchExpressions:
      - key: tier
        operator: In
        values: [edge, web]
    toPorts:
    - ports:
      - port: "8443"
        protocol: TCP
      - port: "70000"
        protocol: TCP
      rules:
        http:
        - method: POST
          path: /v1/orders
          headers:
          - 'X-Tenant: blue'
        - method: GET
          path: /v1/items/.*
  - fromCIDR:
    - 10.20.0.0/16
    - 10.30.1.5/33
    fromEntities:
    - cluster
  egress:
  - toEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: kube-system
        k8s-app: kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*.warm-up.svc.cluster.local"
        - matchName: payments.example.net
  - toFQDNs:
    - matchName: payments.example.net
    - matchPattern: "*.s3.example.net"
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
  - toCIDRSet:
    - cidr: 0.0.0.0/0
      except:
      - 10.0.0.0/8
    toPorts:
    - ports:
      - port: "5432"
        protocol: TCP
  - toServices:
    - k8sService:
        serviceName: postgres
        namespace: warm-up
  egressDeny:
  - toEntities:
    - world
    toPorts:
    - ports:
      - port: "25"
        protocol: TCP
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: warm-up-nodes
spec:
  nodeSelector:
    matchLabels:
      node-role.kubernetes.io/worker: ""
  ingress:
  - fromEntities:
    - remote-node
    - health
  - fromCIDRSet:
    - cidr: 192.168.0.0/24
    toPorts:
    - ports:
      - port: "22"
        protocol: TCP
      - port: "10250"
        endPort: 10260
        protocol: TCP
    icmps:
    - fields:
      - type: 8
        family: IPv4
  enableDefaultDeny:
    ingress: true
    egress: false
---
apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: warm-up-envoy
  namespace: warm-up
spec:
  services:
  - name: api
    namespace: warm-up
    listener: api-listener
  backendServices:
  - name: api-backend
    namespace: warm-up
  resources:
  - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
    name: api-listener
    filterChains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typedConfig:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          statPrefix: api
          rds:
            routeConfigName: api-routes
          httpFilters:
          - name: envoy.filters.http.router
            typedConfig:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
    name: api-routes
    virtualHosts:
    - name: api
      domains: ["*"]
      routes:
      - match:
          prefix: /
        route:
          cluster: warm-up/api-backend
  - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
    name: warm-up/api-backend
    connectTimeout: 5s
    type: EDS
    outlierDetection:
      splitExternalLocalOriginErrors: true
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideEnvoyConfig
metadata:
  name: warm-up-cluster-envoy
spec:
  resources:
  - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
    name: edge-listener
    filterChains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typedConfig:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          statPrefix: edge
          cluster: edge
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: warm-up-files
spec:
  kprobes:
  - call: security_file_permission
    syscall: false
    return: true
    args:
    - index: 0
      type: file
    - index: 1
      type: int
    returnArg:
      index: 0
      type: int
    selectors:
    - matchArgs:
      - index: 0
        operator: Prefix
        values:
        - /etc/shadow
        - /root/.ssh
      - index: 1
        operator: Equal
        values:
        - "4"
      matchBinaries:
      - operator: NotIn
        values:
        - /usr/sbin/sshd
      matchActions:
      - action: Sigkill
  - call: sys_openat
    syscall: true
    args:
    - index: 1
      type: string
    - index: 2
      type: int
    selectors:
    - matchArgs:
      - index: 1
        operator: Postfix
        values:
        - .key
      matchNamespaces:
      - namespace: Pid
        operator: NotIn
        values:
        - host_ns
      matchCapabilities:
      - type: Effective
        operator: In
        values:
        - CAP_SYS_ADMIN
      matchActions:
      - action: Post
        rateLimit: 1m
  - call: sys_opn
    syscall: true
  tracepoints:
  - subsystem: syscalls
    event: sys_enter_connect
    args:
    - index: 5
      type: int
    selectors:
    - matchPIDs:
      - operator: NotIn
        followForks: true
        isNamespacePID: true
        values:
        - 1
  lists:
  - name: exec-calls
    type: syscalls
    values:
    - sys_execve
    - sys_execveat
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata:
  name: warm-up-net
  namespace: warm-up
spec:
  podSelector:
    matchLabels:
      app: api
  kprobes:
  - call: tcp_connect
    syscall: false
    args:
    - index: 0
      type: sock
    selectors:
    - matchArgs:
      - index: 0
        operator: NotDAddr
        values:
        - 127.0.0.1
        - 10.0.0.0/8
      matchActions:
      - action: Override
        argError: -1
  uprobes:
  - path: /usr/bin/bash
    symbols:
    - readline
`;

/** A step of the warm-up; false stops it. */
export type Step = () => boolean | void | Promise<boolean | void>;

/**
 * Starts the warm-up after `initialized`: schemas first, then the code paths, one step per turn of
 * the event loop. Never throws; a failure is logged and ends it.
 */
export function warmUp(
  validator: SchemaValidator,
  yaml: YamlFeatures,
  session: Session,
  lints: { readonly busy: boolean },
  others: readonly Step[] = [],
): void {
  const steps: Step[] = [
    ...KINDS.map((kind) => () => {
      const doc = parseFile(`apiVersion: ${kind.apiVersion}\nkind: ${kind.kind}\n`).documents[0];
      if (doc) validator.validate(doc);
    }),
    ...yaml.warmSteps(),
    // Other features' one-time work (the completion's document templates, read from the snippets).
    ...others,
    ...codeSteps(validator, yaml, session),
  ];
  const next = (): void => {
    // Shutting down: the reply to `shutdown` must not wait behind start-up work nobody will use.
    if (session.input.shutdownRequested) return;
    // A file opened while the server starts is linted first: its lint compiles the kinds it holds
    // on demand, and the rest of the warm-up (loading yaml-language-server is a step of half a
    // second) would only delay its diagnostics.
    if (lints.busy) {
      setTimeout(next, BUSY_RETRY_MS);
      return;
    }
    const step = steps.shift();
    if (!step) return;
    setImmediate(() => {
      if (session.input.shutdownRequested) return;
      Promise.resolve()
        .then(step)
        .then((go) => {
          if (go !== false) next();
        })
        .catch((e: unknown) => session.log(`cilium-policy: warm-up failed: ${describe(e)}`));
    });
  };
  next();
}

/** The places of the sample that are hovered (keys) and completed (values and new keys). */
function samplePlaces(text: string): { hovers: number[]; completions: number[] } {
  const hovers: number[] = [];
  const completions: number[] = [];
  const key = /^( *)(?:- )?([A-Za-z@"][^:\n]*):/gm;
  // Every third key: the hover code is the same for all, and each hover costs a parse of its document.
  for (let m = key.exec(text), k = 0; m; m = key.exec(text), k++)
    if (k % 3 === 0) hovers.push(m.index + m[0].indexOf(m[2]!) + 1);
  const value = /^ *(?:- )?(?:protocol|operator|type|action|method): *\S*$/gm;
  for (let m = value.exec(text); m; m = value.exec(text)) completions.push(m.index + m[0].length);
  // A new key under a map (the cursor at the indentation of a sibling).
  const child = /\n( +)(?:name|call): [^\n]*\n/g;
  for (let m = child.exec(text); m; m = child.exec(text)) completions.push(m.index + 1 + m[1]!.length);
  return { hovers, completions };
}

/** Parse, lint, diagnostics, hover and completion over the sample, a step each, while no document is open. */
function codeSteps(validator: SchemaValidator, yaml: YamlFeatures, session: Session): Step[] {
  const text = WARM_UP_SAMPLE;
  const document = TextDocument.create('file:///__cilium-policy__/warm-up.yaml', 'yaml', 1, text);
  const { hovers, completions } = samplePlaces(text);
  const idle = (): boolean => session.documents.all().length === 0;
  const steps: Step[] = [];
  for (let round = 0; round < CODE_ROUNDS; round++) {
    steps.push(() => {
      if (!idle()) return false;
      const file = parseFile(text);
      const findings = lintFile(file, { validator, settings: DEFAULT_SETTINGS, cache: new LintCache() });
      for (const f of findings) toDiagnostic(document, f);
      documentStatus(document, file, findings);
      return true;
    });
    // Hovers and completions spread over the rounds, a few per step (a step stays short).
    const file = parseFile(text);
    const share = (xs: readonly number[]): number[] => xs.filter((_, i) => i % CODE_ROUNDS === round);
    const places = [
      ...share(hovers).map((o) => ['hover', o] as const),
      ...share(completions).map((o) => ['complete', o] as const),
    ];
    for (let i = 0; i < places.length; i += PLACES_PER_STEP) {
      const batch = places.slice(i, i + PLACES_PER_STEP);
      steps.push(async () => {
        if (!idle()) return false;
        for (const [what, offset] of batch) {
          if (what === 'complete') await yaml.complete(file, offset);
          else {
            // Ours, and yaml-language-server's (where ours declines; its matching is the completion's too).
            await yaml.hover(file, offset);
            await yaml.hover(file, offset, undefined, true);
          }
        }
        return true;
      });
    }
  }
  return steps;
}
