#!/usr/bin/env bash
# Runs a command against a throwaway s3rver (the one tests/env/install.sh caches) holding an empty bucket "bench":
# the command gets APRIEL_S3_ENDPOINT, APRIEL_S3_INSECURE and s3rver's AWS_* credentials; the server is stopped by its
# PID and its data removed afterwards. Used by `make bench` (apriel-trainer bench s3 --store s3://bench/).
set -euo pipefail
CACHE=${APRIEL_CACHE:-$HOME/.cache/apriel}
# Same version and patch level as install.sh (S3RVER_VERSION, S3RVER_PATCH).
SCRIPT=$CACHE/npm-s3rver-3.7.1-p1/node_modules/s3rver/bin/s3rver.js
[ -f "$SCRIPT" ] || { echo "s3rver is not installed: run tests/env/install.sh" >&2; exit 1; }

data=$(mktemp -d)
port=$(node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
node "$SCRIPT" -d "$data" -a 127.0.0.1 -p "$port" --silent --configure-bucket bench &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done

APRIEL_S3_ENDPOINT=127.0.0.1:$port APRIEL_S3_INSECURE=1 AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER "$@"
