// SPDX-License-Identifier: Apache-2.0
/** The glob matcher lives in the core, where the language server reads it too. */
export { compileGlob, expandBraces, hasGlobSyntax, type CompiledGlob } from '../core/glob.js';
