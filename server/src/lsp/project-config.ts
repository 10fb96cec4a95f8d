// SPDX-License-Identifier: Apache-2.0
/**
 * Finds and caches `.cilium-policy.yaml` for the language server: the file at the root of the
 * workspace folder that holds a document (the nearest enclosing folder when there are several).
 * The file is re-read when the client reports it changed.
 *
 * Trust: until the client says the workspace is trusted (`initializationOptions.workspaceTrusted`,
 * or the `ciliumPolicy/workspaceTrust` notification), the keys that make the server read other
 * files are left out of the file ({@link untrustedView}) and the log says so. Clients that say
 * nothing are not trusted; editors without workspace trust can send `workspaceTrusted: true`.
 */
import { readRegularTextFileSync } from '../io/safe-paths.js';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CONFIG_FILE_NAME, parseProjectConfig, untrustedView, type ProjectConfig } from '../config.js';

export class ProjectConfigs {
  private roots: string[] = [];
  private readonly cache = new Map<string, ProjectConfig | undefined>();
  private trusted = false;
  /** Problems already shown to the user (each once per session; the log gets every read). */
  private readonly shown = new Set<string>();

  /**
   * `warn` shows a problem of a configuration file to the user (a version outside the supported
   * range, an unknown key); without it problems only go to the log.
   */
  constructor(
    private readonly log: (message: string) => void,
    private readonly warn?: (message: string) => void,
  ) {}

  /** True when the client said the workspace is trusted. */
  get isTrusted(): boolean {
    return this.trusted;
  }

  /** Records whether the workspace is trusted; returns true when that changed (settings must be read again). */
  setTrusted(trusted: boolean): boolean {
    if (trusted === this.trusted) return false;
    this.trusted = trusted;
    this.cache.clear();
    return true;
  }

  /** Sets the workspace folder URIs (from `initialize` or folder changes). */
  setRoots(uris: readonly string[]): void {
    this.roots = uris.flatMap((u) => {
      try {
        return [fileURLToPath(u)];
      } catch {
        return [];
      }
    });
    this.roots.sort((a, b) => b.length - a.length);
    this.cache.clear();
  }

  /** Forgets cached files (after a change on disk). */
  reset(): void {
    this.cache.clear();
  }

  /** The workspace folder (a path) that holds a document URI, if any. */
  folderOf(uri: string): string | undefined {
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return undefined; // untitled: and other schemes have no folder
    }
    return this.roots.find((r) => file === r || file.startsWith(r + path.sep));
  }

  /** The first workspace folder (for documents outside every folder), if any. */
  get firstFolder(): string | undefined {
    return this.roots[this.roots.length - 1];
  }

  /** The configuration applying to a document URI, if any. */
  lookup(uri: string): ProjectConfig | undefined {
    const root = this.folderOf(uri);
    if (!root) return undefined;
    if (!this.cache.has(root)) this.cache.set(root, this.read(root));
    return this.cache.get(root);
  }

  private read(root: string): ProjectConfig | undefined {
    const file = path.join(root, CONFIG_FILE_NAME);
    let text: string;
    try {
      text = readRegularTextFileSync(file);
    } catch {
      return undefined;
    }
    const parsed = parseProjectConfig(text);
    const config = this.trusted ? parsed : untrustedView(parsed);
    for (const p of config.problems) {
      this.log(`cilium-policy: ${pathToFileURL(file).toString()}: ${p}`);
      if (this.warn && !this.shown.has(p)) {
        this.shown.add(p);
        this.warn(`Cilium Policy: ${p}`);
      }
    }
    return config;
  }
}
