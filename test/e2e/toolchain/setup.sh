#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what the end-to-end suites need, without any download outside Debian apt and the npm
# registry: Debian's chromium, neovim, ripgrep and libkrb5-dev, then this folder's pinned npm
# packages (code-server 4.100.3, playwright-core, mocha, @vscode/test-electron) from the lockfile.
# Idempotent: each step is skipped when its result is already there, so re-running is cheap.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

# --- Debian packages -------------------------------------------------------------------------
# libkrb5-dev: code-server's `kerberos` module builds from source because its prebuilt download
# is unreachable; ripgrep: seeded into @vscode/ripgrep's cache below; chromium: the browser
# Playwright drives; neovim: the second editor.
bash "$here/../../../scripts/apt-ensure.sh" setup libkrb5-dev ripgrep chromium neovim
for bin in chromium nvim rg; do
  command -v "$bin" >/dev/null || { echo "setup: $bin is still missing after apt-get" >&2; exit 1; }
done

# --- ripgrep cache ---------------------------------------------------------------------------
# code-server 4.100.3 bundles @vscode/ripgrep 1.15.11, whose postinstall fetches a prebuilt rg
# from GitHub (unreachable here) unless its cache already holds the archive. Debian's rg 13.0.0
# is the same release, so it is packed under the name the postinstall looks for.
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-gnu ;;
  *) echo "setup: no ripgrep seeding for $(uname -m)" >&2; exit 1 ;;
esac
rg_cache="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-1.15.11"
rg_archive="$rg_cache/ripgrep-v13.0.0-10-$rg_target.tar.gz"
if [ ! -s "$rg_archive" ]; then
  mkdir -p "$rg_cache"
  tar czf "$rg_archive" -C "$(dirname "$(command -v rg)")" rg
  echo "setup: seeded $rg_archive"
fi

# --- npm packages ----------------------------------------------------------------------------
# The stamp records the lockfile the installed tree came from; a changed lockfile reinstalls.
stamp=node_modules/.setup-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/.bin/code-server ]; then
  echo "setup: npm packages present (lockfile unchanged)"
else
  # yes=true: node-pty's postinstall runs `npx node-gyp`, which an npm config with yes=false
  # refuses. --unsafe-perm: code-server's postinstall refuses to run as root unless it sees
  # npm_config_unsafe_perm (npm 11 warns that it does not know the option, but still passes it on).
  npm_config_yes=true npm ci --unsafe-perm --no-audit --no-fund
  node -e "require.resolve('code-server/package.json'); require.resolve('playwright-core'); require.resolve('mocha')"
  echo "$want" >"$stamp"
fi
echo "setup: code-server $(node -p "require('code-server/package.json').version"), playwright-core $(node -p "require('playwright-core/package.json').version"), $(chromium --version 2>/dev/null | head -1), $(nvim --version | head -1)"
