#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what `npm test` needs beyond npm packages, from Debian apt: gcc and systemtap-sdt-dev
# (<sys/sdt.h>), with which the USDT tests compile test/fixtures/usdt/probes.c into a real binary
# with SDT notes, the arm64 and i686 cross compilers for the same program built for arm64 and as a
# 32-bit program (not gcc-multilib: it cannot be installed beside a cross compiler), and binutils
# for `readelf`, the independent reading those tests compare with.
# Idempotent: nothing is installed when the packages are there. `npm test` runs without them too;
# the USDT binary tests are then skipped with a message (CI sets CILIUM_POLICY_REQUIRE_USDT=1 so
# that they cannot be skipped there).
set -euo pipefail

bash "$(dirname "${BASH_SOURCE[0]}")/apt-ensure.sh" test-deps \
  gcc libc6-dev binutils systemtap-sdt-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-i686-linux-gnu libc6-dev-i386-cross
for bin in gcc aarch64-linux-gnu-gcc i686-linux-gnu-gcc readelf; do
  command -v "$bin" >/dev/null || { echo "test-deps: $bin is still missing after apt-get" >&2; exit 1; }
done
echo '#include <sys/sdt.h>' | gcc -E -x c - >/dev/null || { echo 'test-deps: <sys/sdt.h> is not usable' >&2; exit 1; }
