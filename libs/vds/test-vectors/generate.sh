#!/bin/sh
# Regenerates vds-vectors.json from generate.ts. Every signature (and the certificate) changes on each run: commit
# the result once, and only when the vectors must change.
set -eu
cd "$(dirname "$0")/../../.."
out=libs/vds/test-vectors/.out
trap 'rm -rf "$out"' EXIT
npx tsc -p libs/vds/test-vectors --outDir "$out"
node "$out/test-vectors/generate.js" libs/vds/test-vectors/vds-vectors.json
npx prettier --write libs/vds/test-vectors/vds-vectors.json >/dev/null
