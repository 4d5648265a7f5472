#!/bin/sh
# Builds the native test programs (src/test/c/*.c) into $1. They call the machine's real libdrm
# (libdrm.so.2; its headers are not needed). Without it nothing is built and $1/SKIPPED says why:
# the tests that run these programs then report that they did not run, loudly.
set -eu
out=$1
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
rm -f "$out/SKIPPED"
probe="$out/.libdrm-probe"
if ! printf 'int drmGetVersion(int);\nint main(void){return 0;}\n' | gcc -x c -o "$probe" - -l:libdrm.so.2 2>/dev/null; then
  echo "the machine has no libdrm.so.2 (Debian: libdrm2); the native test programs were not built" > "$out/SKIPPED"
  echo "********** drm.bridge: $(cat "$out/SKIPPED") **********" >&2
  exit 0
fi
rm -f "$probe"
for c in "$src"/*.c; do
  gcc -O1 -g -Wall -Werror -ffp-contract=off -D_GNU_SOURCE -o "$out/$(basename "$c" .c)" "$c" -l:libdrm.so.2 -lpthread
done
