#!/bin/sh
# Crypto material (cryptogen), the channel's genesis block (configtxgen) and the chaincode-as-a-
# service package with its package id. Run once, before the network starts:
#   docker compose run --rm fabric-tools fabric/scripts/generate.sh
# Writes fabric/build/ (organizations/, meridian.block, meridian-ccaas.tar.gz, chaincode.env).
set -eu
. "$(dirname "$0")/peer-env.sh"
cd "$FABRIC_DIR"
if [ -e build/organizations ]; then
  echo "fabric/build/organizations exists; remove fabric/build to start a new network" >&2
  exit 1
fi
mkdir -p build
cryptogen generate --config=crypto-config.yaml --output=build/organizations
configtxgen -configPath . -profile MeridianChannel -channelID "$CHANNEL" -outputBlock build/meridian.block

# A ccaas package: metadata.json beside code.tar.gz, which holds connection.json (where the peers
# dial the chaincode container).
work=$(mktemp -d)
cp chaincode/connection.json chaincode/metadata.json "$work/"
tar -C "$work" -czf "$work/code.tar.gz" connection.json
tar -C "$work" -czf build/meridian-ccaas.tar.gz metadata.json code.tar.gz
rm -rf "$work"
# The chaincode container serves under this id (docker compose reads it through env_file).
echo "CHAINCODE_ID=$(peer lifecycle chaincode calculatepackageid build/meridian-ccaas.tar.gz)" >build/chaincode.env
cat build/chaincode.env
