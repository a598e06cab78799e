#!/bin/sh
# The project's chaincode (chaincode/, built by `npm run build`) as a service on CHAINCODE_PORT, in
# the foreground, under the project's Node 24; both peers dial it (the ccaas package's connection.json).
set -eu
. "$(dirname "$0")/env.sh"
# shellcheck disable=SC1091 # written by generate.sh
. "$FABRIC_BUILD/chaincode.env"
node=$REPO_DIR/node_modules/.bin/node
[ -x "$node" ] || node=node
cd "$REPO_DIR/chaincode"
if [ ! -e dist/src/index.js ]; then
  echo "chaincode/dist is missing: run npm run build" >&2
  exit 1
fi
export CORE_CHAINCODE_LOGGING_LEVEL=${CORE_CHAINCODE_LOGGING_LEVEL:-INFO}
exec "$node" "$REPO_DIR/node_modules/fabric-shim/cli.js" server \
  --chaincode-address="127.0.0.1:$CHAINCODE_PORT" --chaincode-id="$CHAINCODE_ID"
