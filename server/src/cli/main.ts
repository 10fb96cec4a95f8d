// SPDX-License-Identifier: Apache-2.0
// Placeholder: the CLI entry is being written.
export {};
