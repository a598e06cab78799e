#!/bin/sh
# Crypto material (cryptogen), the channel's genesis block (configtxgen) and the chaincode-as-a-
# service package with its package id. Run once, before the network starts:
#   docker compose run --rm fabric-tools fabric/scripts/generate.sh        (compose)
#   fabric/native/up.sh                                                     (native; it runs this)
# Writes $FABRIC_BUILD (default fabric/build/): organizations/, configtx.yaml, <channel>.block,
# meridian-ccaas.tar.gz and chaincode.env. Host names and ports come from peer-env.sh.
set -eu
. "$(dirname "$0")/peer-env.sh"
cd "$FABRIC_DIR"
if [ -e "$FABRIC_BUILD/organizations" ]; then
  echo "$FABRIC_BUILD/organizations exists; remove $FABRIC_BUILD to start a new network" >&2
  exit 1
fi
mkdir -p "$FABRIC_BUILD"
cryptogen generate --config=crypto-config.yaml --output="$FABRIC_BUILD/organizations"
"$FABRIC_DIR/scripts/channel-block.sh"

# A ccaas package: metadata.json beside code.tar.gz, which holds connection.json (where the peers
# dial the chaincode service).
work=$(mktemp -d)
sed "s|\"address\": \"[^\"]*\"|\"address\": \"$CHAINCODE_ADDRESS\"|" chaincode/connection.json >"$work/connection.json"
cp chaincode/metadata.json "$work/"
tar -C "$work" -czf "$work/code.tar.gz" connection.json
tar -C "$work" -czf "$FABRIC_BUILD/meridian-ccaas.tar.gz" metadata.json code.tar.gz
rm -rf "$work"
# The chaincode service serves under this id (docker compose reads it through env_file).
package_id=$(peer lifecycle chaincode calculatepackageid "$FABRIC_BUILD/meridian-ccaas.tar.gz")
echo "CHAINCODE_ID=$package_id" >"$FABRIC_BUILD/chaincode.env"
cat "$FABRIC_BUILD/chaincode.env"
