// SPDX-License-Identifier: Apache-2.0
// Placeholder: the VS Code client is being written.
export function activate(): void {}
export function deactivate(): void {}
