// SPDX-License-Identifier: Apache-2.0
// Placeholder: the language server entry is being written.
export {};
