// SPDX-License-Identifier: Apache-2.0
/**
 * Where each release's CRDs are read from when the facts are extracted again
 * (`node scripts/gen-release-history.mjs --extract`). The newest release of each product is the copy
 * in ../shared/upstream/crds (see its PROVENANCE.md); older ones are read from git snapshots of the
 * upstream repositories at the commits below. schemas/PROVENANCE.md says how these were chosen.
 */

/** Path of each kind's CRD in the upstream repository, and its file name in ../shared/upstream/crds. */
export const CRD_FILES = {
  cilium: {
    CiliumNetworkPolicy: 'pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml',
    CiliumClusterwideNetworkPolicy: 'pkg/k8s/apis/cilium.io/client/crds/v2/ciliumclusterwidenetworkpolicies.yaml',
    CiliumEnvoyConfig: 'pkg/k8s/apis/cilium.io/client/crds/v2/ciliumenvoyconfigs.yaml',
    CiliumClusterwideEnvoyConfig: 'pkg/k8s/apis/cilium.io/client/crds/v2/ciliumclusterwideenvoyconfigs.yaml',
  },
  tetragon: {
    TracingPolicy: 'pkg/k8s/apis/cilium.io/client/crds/v1alpha1/cilium.io_tracingpolicies.yaml',
    TracingPolicyNamespaced: 'pkg/k8s/apis/cilium.io/client/crds/v1alpha1/cilium.io_tracingpoliciesnamespaced.yaml',
  },
};

/**
 * The releases we describe, oldest first. `commit` is read from a git snapshot (any of the product's
 * `gitDirs` that has it); `shared: true` means ../shared/upstream/crds. `note` says what the commit is.
 */
export const RELEASES = {
  cilium: {
    repository: 'cilium/cilium',
    // cilium/cilium is too large to fetch here; these public forks carry the release branches' history.
    gitDirs: ['../.mirror/tommyp1ckles+cilium/repo', '../.mirror/rastislavs+cilium/repo'],
    releases: [
      {
        release: '1.16',
        commit: '82999990bc954699cf24853ef9747d9166ee24c8',
        note: 'v1.16.0: "Prepare for release v1.16.0" on the v1.16 branch',
      },
      {
        release: '1.17',
        commit: 'c2bbf787eab9b7f728fcc861904d9bcf17e4ba9b',
        note: 'v1.17.0: "Prepare for release v1.17.0" on the v1.17 branch',
      },
      {
        release: '1.18',
        commit: '274205f001bb24b89d19f0fe7c3fb3aca20030c2',
        note: 'v1.18.0: "Prepare for release v1.18.0" on the v1.18 branch',
      },
      {
        release: '1.19',
        commit: '7c6667e1e707d7f39a4af3409c2a9ebea2917d32',
        note: 'v1.19.0: "Prepare for release v1.19.0" on the v1.19 branch',
      },
      {
        release: '1.20',
        commit: 'aeb2d1b68e0e0bb36fc48f262bbc75c4903c19e8',
        shared: true,
        note: 'main on its way to 1.20 (VERSION 1.20.0-dev), as copied to ../shared/upstream/crds',
      },
    ],
  },
  tetragon: {
    repository: 'cilium/tetragon',
    gitDirs: ['../.mirror/cilium+tetragon/repo'],
    releases: [
      { release: '1.4', commit: '6a81c1f51e58c725c81937d21a2930602890f484', note: 'tag v1.4.0' },
      { release: '1.5', commit: 'b97cc72dfa7f2bd5711b500bcc3576a721ab8a9f', note: 'tag v1.5.0' },
      { release: '1.6', commit: '87ce9b713a40c3d227960023ac2c6559bc901349', note: 'tag v1.6.0' },
      { release: '1.7', commit: '1de2ed8ebea18e56257dc59597aa13bf8f0e471e', note: 'tag v1.7.0' },
      {
        release: '1.8',
        commit: '4fbfe2d74ecb84acf79ed09a416f01b54185e8a6',
        shared: true,
        note: 'main after v1.8.0-pre.0, as copied to ../shared/upstream/crds',
      },
    ],
  },
};
