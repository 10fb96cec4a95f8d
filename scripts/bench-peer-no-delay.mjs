// SPDX-License-Identifier: Apache-2.0
// Preloaded (`node --import`) into yaml-language-server by `scripts/bench.mjs`. The peer validates
// 200 ms after every change and has no setting for it; ours is measured with its debounce at 0, so
// the peer's is set to 0 too (its constructor assigns the field, which this accessor overrides).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { SettingsState } = require('yaml-language-server/out/server/src/yamlSettings.js');
Object.defineProperty(SettingsState.prototype, 'validationDelayMs', {
  get: () => 0,
  set: () => {},
  configurable: true,
});
