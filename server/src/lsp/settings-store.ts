// SPDX-License-Identifier: Apache-2.0
/**
 * Where the server's settings come from. Clients that support `workspace/configuration` (VS Code,
 * Neovim) are asked for the `ciliumPolicy` section per document URI, and the answer is cached until
 * the next `workspace/didChangeConfiguration`. Clients that only push settings (Helix, older
 * clients) send `{ settings: { ciliumPolicy: … } }` with `didChangeConfiguration`; that becomes the
 * setting for every document.
 */
import { type Settings } from '../settings.js';
import { mergeSettings, type ProjectConfig } from '../config.js';

/** The configuration section we read. */
export const CONFIG_SECTION = 'ciliumPolicy';

/** Asks the client for the section of one URI. */
export type ConfigurationFetcher = (uri: string) => Promise<unknown>;

/** Finds the project configuration (`.cilium-policy.yaml`) that applies to a URI. */
export type ProjectConfigLookup = (uri: string) => ProjectConfig | undefined;

export class SettingsStore {
  private readonly perUri = new Map<string, Promise<Settings>>();
  private readonly resolved = new Map<string, Settings>();
  private pushedRaw: unknown = undefined;

  /**
   * `fetch` is undefined when the client cannot answer `workspace/configuration`; `project` finds
   * the `.cilium-policy.yaml` that applies to a document, merged under the editor's settings.
   */
  constructor(
    private readonly fetch: ConfigurationFetcher | undefined,
    private readonly log: (message: string) => void,
    private readonly project: ProjectConfigLookup = () => undefined,
  ) {}

  private merged(uri: string, raw: unknown): Settings {
    return mergeSettings(raw, this.project(uri));
  }

  /** True when settings are pulled per URI. */
  get pulls(): boolean {
    return this.fetch !== undefined;
  }

  /** The settings of a document. Never rejects: a failed fetch falls back to the pushed settings. */
  get(uri: string): Promise<Settings> {
    if (!this.fetch) return Promise.resolve(this.merged(uri, this.pushedRaw));
    let pending = this.perUri.get(uri);
    if (!pending) {
      const fetch = this.fetch;
      pending = fetch(uri).then(
        (raw) => this.merged(uri, raw === null || raw === undefined ? this.pushedRaw : raw),
        (e: unknown) => {
          this.log(`cilium-policy: could not read settings for ${uri}: ${(e as Error)?.message ?? String(e)}`);
          return this.merged(uri, this.pushedRaw);
        },
      );
      void pending.then((s) => {
        if (this.perUri.get(uri) === pending) this.resolved.set(uri, s);
      });
      this.perUri.set(uri, pending);
    }
    return pending;
  }

  /** The last settings known for a URI without waiting (for the debounce delay). */
  peek(uri: string): Settings {
    return this.resolved.get(uri) ?? this.merged(uri, this.pushedRaw);
  }

  /** Forgets every resolved setting (e.g. after `.cilium-policy.yaml` changed). */
  invalidate(): void {
    this.perUri.clear();
    this.resolved.clear();
  }

  /** Handles `workspace/didChangeConfiguration`: forgets pulled settings, takes pushed ones. */
  changed(params: unknown): void {
    this.perUri.clear();
    this.resolved.clear();
    const settings = (params as { settings?: unknown } | null | undefined)?.settings;
    if (settings !== null && typeof settings === 'object' && CONFIG_SECTION in settings) {
      this.pushedRaw = (settings as Record<string, unknown>)[CONFIG_SECTION];
    }
  }

  /** Forgets a closed document's settings. */
  forget(uri: string): void {
    this.perUri.delete(uri);
    this.resolved.delete(uri);
  }
}
