// SPDX-License-Identifier: Apache-2.0
/**
 * "Cilium Policy: Check Connectivity…": a source, a destination and a port picked from the
 * inventory (`ciliumPolicy/connectivityEndpoints`), the verdict from the server
 * (`ciliumPolicy/checkFlow`) shown with both directions and the deciding rules as items that open
 * the rule, and an action that appends the flow as a case to a PolicyTest file through the server's
 * comment-preserving edit (`ciliumPolicy/addTestCase`).
 */
import * as vscode from 'vscode';
import {
  AddTestCaseRequest,
  CheckFlowRequest,
  ConnectivityEndpointsRequest,
  PolicyTestsRequest,
  type WireEndpointSpec,
  type WireFlow,
  type WireFlowVerdict,
} from '../../server/src/protocol.js';
import { plain } from '../../server/src/client-safe.js';
import {
  caseName,
  directionLine,
  directionLinks,
  endpointText,
  portChoices,
  workloadDescription,
  type RuleLink,
} from './connectivity-model.js';
import type { ServerLink } from './server-link.js';

/** The command id. */
export const CHECK_CONNECTIVITY_COMMAND = 'ciliumPolicy.checkConnectivity';

type Endpoints = ConnectivityEndpointsRequest.Result;

interface EndItem extends vscode.QuickPickItem {
  readonly spec?: WireEndpointSpec;
  readonly ask?: 'ip' | 'fqdn' | 'pod';
  /** The destination's ports, for the port picker. */
  readonly ports?: readonly { port: number; protocol: string; name?: string }[];
}

interface PortItem extends vscode.QuickPickItem {
  readonly port?: number | string;
  readonly protocol?: WireFlow['protocol'];
  readonly ask?: boolean;
}

interface ResultItem extends vscode.QuickPickItem {
  readonly rule?: RuleLink;
  readonly action?: 'add' | 'again' | 'copy';
}

function isIp(v: string): boolean {
  return /^(\d{1,3}\.){3}\d{1,3}$/.test(v) || (v.includes(':') && /^[0-9a-fA-F:.]+$/.test(v));
}

function toRange(r: {
  start: { line: number; character: number };
  end: { line: number; character: number };
}): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export class CheckConnectivity {
  constructor(
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
  ) {}

  /** Runs the command. Cancelling any step ends it quietly. */
  async run(): Promise<void> {
    if (!this.link.ready) {
      void vscode.window.showWarningMessage('Cilium Policy: the language server is not running.');
      return;
    }
    let endpoints: Endpoints;
    try {
      endpoints = await this.link.request(ConnectivityEndpointsRequest.type, {});
    } catch (e) {
      void vscode.window.showErrorMessage(`Cilium Policy: ${(e as Error)?.message ?? String(e)}`);
      return;
    }
    if (endpoints.workloads.length === 0)
      void vscode.window.showInformationMessage(
        `Cilium Policy: the inventory has no workloads (${plain(endpoints.inventory.description)}); pick an entity, a node or an address.`,
      );
    const source = await this.pickEnd(endpoints, 'source');
    if (!source) return;
    const destination = await this.pickEnd(endpoints, 'destination');
    if (!destination) return;
    const port = await this.pickPort(destination);
    if (!port) return;
    const flow: WireFlow = {
      from: source.spec!,
      to: destination.spec!,
      ...(port.port !== undefined ? { port: port.port } : {}),
      ...(port.protocol && port.protocol !== 'TCP' ? { protocol: port.protocol } : {}),
    };
    await this.showVerdict(flow);
  }

  private endItems(endpoints: Endpoints, role: 'source' | 'destination'): EndItem[] {
    const items: EndItem[] = [];
    if (endpoints.workloads.length > 0) items.push({ label: 'Workloads', kind: vscode.QuickPickItemKind.Separator });
    for (const w of endpoints.workloads)
      items.push({
        label: plain(w.ref, 200),
        description: workloadDescription(w),
        spec: { workload: w.ref },
        ports: w.ports,
      });
    if (role === 'destination' && endpoints.services.length > 0) {
      items.push({ label: 'Services', kind: vscode.QuickPickItemKind.Separator });
      for (const s of endpoints.services)
        items.push({
          label: plain(`service ${s.ref}`, 200),
          description: plain(
            s.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` ${p.name}` : ''}`).join(', '),
            120,
          ),
          spec: { service: s.ref },
          ports: s.ports,
        });
    }
    items.push({ label: 'Entities and nodes', kind: vscode.QuickPickItemKind.Separator });
    for (const e of endpoints.entities)
      items.push({ label: `entity ${e.name}`, description: plain(e.meaning, 120), spec: { entity: e.name } });
    for (const n of endpoints.nodes) items.push({ label: plain(`node ${n}`, 200), spec: { node: n } });
    items.push({ label: 'Other', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: 'An IP address…', ask: 'ip' });
    if (role === 'destination') items.push({ label: 'A host name (FQDN) and its address…', ask: 'fqdn' });
    items.push({ label: 'A pod of a namespace that is not in the inventory…', ask: 'pod' });
    return items;
  }

  private async pickEnd(endpoints: Endpoints, role: 'source' | 'destination'): Promise<EndItem | undefined> {
    const picked = await vscode.window.showQuickPick(this.endItems(endpoints, role), {
      title: `Check Connectivity (${role === 'source' ? '1' : '2'}/3): the ${role}`,
      placeHolder: role === 'source' ? 'Where the connection starts' : 'Where it goes',
      matchOnDescription: true,
      ignoreFocusOut: true,
    });
    if (!picked?.ask) return picked;
    if (picked.ask === 'ip') {
      const ip = await vscode.window.showInputBox({
        title: `Check Connectivity: the ${role}'s address`,
        prompt:
          'An IPv4 or IPv6 address; a pod, node or service of the inventory with it stands for it, any other is outside the cluster',
        validateInput: (v) => (isIp(v.trim()) ? undefined : 'Not an IP address'),
        ignoreFocusOut: true,
      });
      return ip ? { label: ip.trim(), spec: { ip: ip.trim() } } : undefined;
    }
    if (picked.ask === 'fqdn') {
      const name = await vscode.window.showInputBox({
        title: 'Check Connectivity: the host name',
        prompt: 'The name the source looks up, e.g. api.stripe.com',
        validateInput: (v) =>
          /^[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?\.?$/.test(v.trim()) ? undefined : 'Not a host name',
        ignoreFocusOut: true,
      });
      if (!name) return undefined;
      const ip = await vscode.window.showInputBox({
        title: 'Check Connectivity: the address it resolved to',
        prompt: 'Leave empty when not known (a toFQDNs rule then gives unknown)',
        validateInput: (v) => (v.trim() === '' || isIp(v.trim()) ? undefined : 'Not an IP address'),
        ignoreFocusOut: true,
      });
      if (ip === undefined) return undefined;
      return { label: name.trim(), spec: ip.trim() ? { fqdn: name.trim(), ip: ip.trim() } : { fqdn: name.trim() } };
    }
    const ns = await vscode.window.showQuickPick(
      endpoints.namespaces.map((n) => plain(n, 200)),
      { title: 'Check Connectivity: the namespace of the pod', ignoreFocusOut: true },
    );
    if (!ns) return undefined;
    const labels = await vscode.window.showInputBox({
      title: 'Check Connectivity: the pod’s labels',
      prompt: 'key=value pairs separated by commas, e.g. app=web,tier=front',
      validateInput: (v) =>
        v.trim() === '' || v.split(',').every((p) => /^[^=\s]+=[^=]*$/.test(p.trim()))
          ? undefined
          : 'Use key=value,key=value',
      ignoreFocusOut: true,
    });
    if (labels === undefined) return undefined;
    const map: Record<string, string> = {};
    for (const p of labels.split(',')) {
      const [k, ...v] = p.trim().split('=');
      if (k) map[k] = v.join('=');
    }
    return { label: `a pod of ${ns}`, spec: { namespace: ns, labels: map } };
  }

  private async pickPort(destination: EndItem): Promise<PortItem | undefined> {
    const items: PortItem[] = portChoices(destination.ports ?? []).map((p) => ({
      label: p.label,
      description: p.description,
      port: p.port,
      protocol: p.protocol,
    }));
    items.push(
      { label: 'Another port…', ask: true },
      { label: 'ICMP echo request (ping)', protocol: 'ICMP' },
      { label: 'ICMPv6 echo request', protocol: 'ICMPv6' },
    );
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Check Connectivity (3/3): the port',
      placeHolder:
        items.length > 3 ? 'The ports the destination declares, or another one' : 'The destination declares no ports',
      ignoreFocusOut: true,
    });
    if (!picked?.ask) return picked;
    const typed = await vscode.window.showInputBox({
      title: 'Check Connectivity: the port',
      prompt: 'A port number (1-65535), optionally with the protocol: 53/UDP',
      validateInput: (v) => {
        const m = /^(\d{1,5})(?:\/(TCP|UDP|SCTP))?$/i.exec(v.trim());
        return m && Number(m[1]) >= 1 && Number(m[1]) <= 65535
          ? undefined
          : 'A number from 1 to 65535, e.g. 443 or 53/UDP';
      },
      ignoreFocusOut: true,
    });
    if (!typed) return undefined;
    const m = /^(\d{1,5})(?:\/(TCP|UDP|SCTP))?$/i.exec(typed.trim())!;
    return {
      label: typed,
      port: Number(m[1]),
      protocol: (m[2]?.toUpperCase() as 'TCP' | 'UDP' | 'SCTP' | undefined) ?? 'TCP',
    };
  }

  /** Judges the flow and shows the verdict; an item per deciding rule opens it. */
  async showVerdict(flow: WireFlow): Promise<void> {
    let r: CheckFlowRequest.Result;
    try {
      r = await this.link.request(CheckFlowRequest.type, { flow });
    } catch (e) {
      void vscode.window.showErrorMessage(`Cilium Policy: ${(e as Error)?.message ?? String(e)}`);
      return;
    }
    const what = `${endpointText(flow.from)} → ${endpointText(flow.to)}${flow.port !== undefined ? ` on ${String(flow.port)}` : ''}`;
    if (!r.verdict) {
      void vscode.window.showWarningMessage(
        `Cilium Policy: ${plain(what)} cannot be judged: ${plain(r.problem ?? 'unknown reason', 400)}`,
      );
      return;
    }
    const v = r.verdict;
    this.output.appendLine(`Check Connectivity: ${plain(v.reason, 2000)}`);
    const items = this.resultItems(v);
    for (;;) {
      const picked = await vscode.window.showQuickPick(items, {
        title: plain(`${v.verdict.toUpperCase()}: ${what}`, 300),
        placeHolder: plain(v.reason, 300),
        matchOnDetail: true,
        ignoreFocusOut: true,
      });
      if (!picked) return;
      if (picked.rule) {
        await vscode.window.showTextDocument(vscode.Uri.parse(picked.rule.location.uri, true), {
          selection: toRange(picked.rule.location.range),
          preview: false,
        });
        return;
      }
      if (picked.action === 'add') {
        await this.addCase(flow, v);
        return;
      }
      if (picked.action === 'again') {
        await this.run();
        return;
      }
    }
  }

  private resultItems(v: WireFlowVerdict): ResultItem[] {
    const items: ResultItem[] = [
      { label: directionLine(`Egress of ${v.source}`, v.egress), detail: plain(v.egress.state, 100) },
      { label: directionLine(`Ingress of ${v.destination}`, v.ingress), detail: plain(v.ingress.state, 100) },
    ];
    for (const u of v.unknowns) items.push({ label: plain(`unknown: ${u.message}`, 300), description: u.code });
    const rules = [...directionLinks('egress', v.egress), ...directionLinks('ingress', v.ingress)];
    if (rules.length > 0) items.push({ label: 'Deciding rules', kind: vscode.QuickPickItemKind.Separator });
    for (const rule of rules) items.push({ label: `$(go-to-file) ${rule.label}`, rule });
    items.push({ label: 'Actions', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: '$(add) Add as a case to a PolicyTest file…', action: 'add' });
    items.push({ label: '$(debug-restart) Check another flow…', action: 'again' });
    return items;
  }

  /** Appends the flow as a case to a PolicyTest file the user picks (or a new one). */
  private async addCase(flow: WireFlow, v: WireFlowVerdict): Promise<void> {
    let files: PolicyTestsRequest.Result['files'];
    try {
      files = (await this.link.request(PolicyTestsRequest.type, {})).files;
    } catch {
      files = [];
    }
    const choices: (vscode.QuickPickItem & { uri?: string; test?: string; create?: boolean })[] = files.flatMap((f) =>
      f.tests.map((t) => ({
        label: plain(t.name, 200),
        description: vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri, true), false),
        detail: `${t.cases.length} case${t.cases.length === 1 ? '' : 's'}`,
        uri: f.uri,
        test: t.name,
      })),
    );
    choices.push({ label: '$(new-file) New PolicyTest file…', create: true });
    const target = await vscode.window.showQuickPick(choices, {
      title: 'Add the flow as a case: which PolicyTest?',
      placeHolder: 'The PolicyTest the case goes to (or a new file)',
      matchOnDescription: true,
      ignoreFocusOut: true,
    });
    if (!target) return;
    let uri = target.uri;
    if (target.create) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const chosen = await vscode.window.showSaveDialog({
        title: 'New PolicyTest file',
        filters: { YAML: ['yaml', 'yml'] },
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'connectivity-test.yaml') } : {}),
      });
      if (!chosen) return;
      await vscode.workspace.fs.writeFile(chosen, new Uint8Array());
      uri = chosen.toString();
    }
    if (!uri) return;
    const expect =
      v.verdict === 'unknown'
        ? (
            await vscode.window.showQuickPick(
              [
                { label: 'allow', description: 'the flow must be allowed' },
                { label: 'deny', description: 'the flow must be denied' },
              ],
              { title: 'The verdict is unknown today: what must it be?', ignoreFocusOut: true },
            )
          )?.label
        : v.verdict;
    if (expect !== 'allow' && expect !== 'deny') return;
    const name = await vscode.window.showInputBox({
      title: 'The case’s name',
      value: caseName(flow, v.verdict),
      validateInput: (x) => (x.trim() === '' ? 'A case needs a name' : undefined),
      ignoreFocusOut: true,
    });
    if (!name) return;
    const params: AddTestCaseRequest.Params = {
      textDocument: { uri },
      ...(target.test !== undefined ? { test: target.test } : {}),
      case: { ...flow, name: name.trim(), expect },
    };
    const r = await this.link.request(AddTestCaseRequest.type, params);
    if (!r) {
      void vscode.window.showWarningMessage(
        'Cilium Policy: the case could not be added safely (is the cases list written in flow style?).',
      );
      return;
    }
    const target2 = vscode.Uri.parse(r.uri, true);
    const edit = new vscode.WorkspaceEdit();
    for (const e of r.edits) edit.replace(target2, toRange(e.range), e.newText);
    if (!(await vscode.workspace.applyEdit(edit))) return;
    const line = Math.max(0, r.line - 1);
    await vscode.window.showTextDocument(target2, { selection: new vscode.Range(line, 0, line, 0), preview: false });
  }
}
