// SPDX-License-Identifier: Apache-2.0
/**
 * A JSON Schema for the part of SARIF 2.1.0 that `cilium-policy lint --format sarif` writes,
 * written for this project from the OASIS SARIF 2.1.0 specification. The official schema is checked
 * too (`sarif-official.test.ts`, with the schema kept as test data in test/fixtures/sarif).
 *
 * This one is deliberately stricter than the official schema where that catches our mistakes: objects
 * we write are closed (`additionalProperties: false`), so a misspelt property fails instead of being
 * ignored by the consumer; and it adds what GitHub code scanning needs on top of the specification
 * (a driver name, rule ids, a message text, a physical location with a region per result).
 * Constraints mirrored from the specification: `version` is "2.1.0"; line and column numbers are
 * integers ≥ 1; `level` is one of none/note/warning/error; `ruleIndex` ≥ 0; an artifact location
 * has a URI reference or a description; `columnKind` is utf16CodeUnits or unicodeCodePoints;
 * a multiformat message string has `text`.
 */

const message = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: { text: { type: 'string', minLength: 1 }, markdown: { type: 'string', minLength: 1 } },
};

const level = { enum: ['none', 'note', 'warning', 'error'] };
const lineOrColumn = { type: 'integer', minimum: 1 };

const reportingDescriptor = {
  type: 'object',
  required: ['id', 'shortDescription', 'fullDescription', 'helpUri'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1 },
    name: { type: 'string' },
    shortDescription: message,
    fullDescription: message,
    help: message,
    helpUri: { type: 'string', format: 'uri' },
    defaultConfiguration: {
      type: 'object',
      additionalProperties: false,
      properties: { level, enabled: { type: 'boolean' }, rank: { type: 'number', minimum: -1, maximum: 100 } },
    },
  },
};

const artifactLocation = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['uri'] }, { required: ['description'] }],
  properties: {
    uri: { type: 'string', format: 'uri-reference' },
    uriBaseId: { type: 'string', minLength: 1 },
    index: { type: 'integer', minimum: -1 },
    description: message,
  },
};

const region = {
  type: 'object',
  required: ['startLine'],
  additionalProperties: false,
  properties: { startLine: lineOrColumn, startColumn: lineOrColumn, endLine: lineOrColumn, endColumn: lineOrColumn },
};

const result = {
  type: 'object',
  required: ['ruleId', 'message', 'locations', 'level'],
  additionalProperties: false,
  properties: {
    ruleId: { type: 'string', minLength: 1 },
    ruleIndex: { type: 'integer', minimum: 0 },
    level,
    message,
    locations: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['physicalLocation'],
        additionalProperties: false,
        properties: {
          physicalLocation: {
            type: 'object',
            required: ['artifactLocation', 'region'],
            additionalProperties: false,
            properties: { artifactLocation, region },
          },
        },
      },
    },
  },
};

/** The schema; compile it with ajv after registering the `uri` and `uri-reference` formats. */
export const SARIF_SUBSET_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['version', 'runs'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', format: 'uri' },
    version: { const: '2.1.0' },
    runs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['tool', 'results'],
        additionalProperties: false,
        properties: {
          tool: {
            type: 'object',
            required: ['driver'],
            additionalProperties: false,
            properties: {
              driver: {
                type: 'object',
                required: ['name', 'version', 'informationUri', 'rules'],
                additionalProperties: false,
                properties: {
                  name: { type: 'string', minLength: 1 },
                  version: { type: 'string', minLength: 1 },
                  semanticVersion: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+' },
                  informationUri: { type: 'string', format: 'uri' },
                  rules: { type: 'array', items: reportingDescriptor },
                },
              },
            },
          },
          invocations: {
            type: 'array',
            items: {
              type: 'object',
              required: ['executionSuccessful'],
              additionalProperties: false,
              properties: { executionSuccessful: { type: 'boolean' } },
            },
          },
          originalUriBaseIds: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              // A base URI must be absolute and end with a slash (SARIF 3.14.14).
              properties: { uri: { type: 'string', format: 'uri', pattern: '/$' } },
            },
          },
          columnKind: { enum: ['utf16CodeUnits', 'unicodeCodePoints'] },
          results: { type: 'array', items: result },
        },
      },
    },
  },
} as const;

/** True for an absolute URI (scheme and the rest). */
export function isUri(s: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** True for a URI reference: an absolute URI, or a relative reference with no character URIs forbid. */
export function isUriReference(s: string): boolean {
  if (isUri(s)) return true;
  // RFC 3986: unreserved, sub-delims, ":", "@", "/", "?", "#" and percent-escapes only.
  return /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*$/.test(s) && !/^[^/?#]*:/.test(s);
}
