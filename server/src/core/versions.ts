// SPDX-License-Identifier: Apache-2.0
/**
 * Release awareness. The bundled schemas describe the newest releases we know (Cilium 1.20, Tetragon 1.8);
 * the release history generated from every release's CRDs (`schemas/release-history.json`, see
 * `release-history.ts`) gives fields and enum values that exist only in some releases an
 * `x-cilium-policy-versions` annotation, and the validator reports them against the release the user targets.
 */

/** The releases a check is run against, as `major.minor`. */
export interface TargetVersions {
  readonly cilium: string;
  readonly tetragon: string;
}

export const DEFAULT_VERSIONS: TargetVersions = { cilium: '1.20', tetragon: '1.8' };

/**
 * The releases the release history describes, oldest first (the newest is what the schemas describe);
 * `schemas/release-history.json` lists the same, which a test checks.
 */
export const KNOWN_RELEASES: Readonly<Record<'cilium' | 'tetragon', readonly string[]>> = {
  cilium: ['1.16', '1.17', '1.18', '1.19', '1.20'],
  tetragon: ['1.4', '1.5', '1.6', '1.7', '1.8'],
};

/** The annotation a schema node may carry. */
export interface VersionAnnotation {
  readonly product: 'cilium' | 'tetragon';
  /** First release that accepts the field. */
  readonly addedIn?: string;
  /** First release that no longer accepts the field. */
  readonly removedIn?: string;
  /** Extra words for the message, e.g. what replaced the field. */
  readonly note?: string;
}

/** Parses `1.19`, `v1.19`, `1.19.3` into comparable numbers; undefined when it is not a version. */
export function parseVersion(v: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Negative when a < b, 0 when equal, positive when a > b. Unparseable versions compare as equal. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return 0;
  return pa[0] - pb[0] || pa[1] - pb[1];
}

/** A message when the annotated field is not available in the target release, else undefined. */
export function versionProblem(
  annotation: VersionAnnotation,
  targets: TargetVersions,
  field: string,
): string | undefined {
  const product = annotation.product === 'cilium' ? 'Cilium' : 'Tetragon';
  const target = targets[annotation.product];
  const note = annotation.note ? ` ${annotation.note}` : '';
  const how = `ciliumPolicy.${annotation.product}Version, --${annotation.product}-version`;
  if (annotation.removedIn && compareVersions(target, annotation.removedIn) >= 0) {
    const last = previousMinor(annotation.removedIn);
    return `\`${field}\` was removed in ${product} ${annotation.removedIn} (accepted up to ${product} ${last}); the target is ${product} ${target} (${how}).${note}`;
  }
  if (annotation.addedIn && compareVersions(target, annotation.addedIn) < 0) {
    return `\`${field}\` was added in ${product} ${annotation.addedIn}; the target is ${product} ${target}, which does not accept it (${how}).${note}`;
  }
  return undefined;
}

function previousMinor(v: string): string {
  const p = parseVersion(v);
  return p && p[1] > 0 ? `${p[0]}.${p[1] - 1}` : v;
}

/**
 * The `returnArgAction` values a Tetragon release loads (lower-cased: the agent looks names up in
 * lower case). Up to 1.6 any action its action table knows is accepted; 1.7 narrowed it to socket
 * tracking. Read from cilium/tetragon `pkg/selectors/kernel.go` (`actionTypeTable`) and
 * `pkg/sensors/tracing/generickprobe.go` (the `ReturnArgAction` check) at v1.4.0 to v1.7.0 and main.
 */
export function returnArgActions(tetragon: string): readonly string[] {
  if (compareVersions(tetragon, '1.7') >= 0) return ['tracksock', 'untracksock'];
  const actions = [
    'post',
    'followfd',
    'unfollowfd',
    'sigkill',
    'override',
    'copyfd',
    'geturl',
    'dnslookup',
    'nopost',
    'signal',
    'tracksock',
    'untracksock',
    'notifyenforcer',
    'cleanupenforcernotification',
  ];
  return compareVersions(tetragon, '1.6') >= 0 ? [...actions, 'set'] : actions;
}
