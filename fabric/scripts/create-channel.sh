#!/bin/sh
# The orderer and both peers join the `meridian` channel. Run once the network is up:
#   docker compose run --rm fabric-tools fabric/scripts/create-channel.sh
set -eu
. "$(dirname "$0")/peer-env.sh"
cd "$FABRIC_DIR"
osnadmin channel join --channelID "$CHANNEL" --config-block build/meridian.block \
  -o orderer.example.com:7053 --ca-file "$ORDERER_CA" \
  --client-cert "$ORDERER_TLS/server.crt" --client-key "$ORDERER_TLS/server.key"
for org in 1 2; do
  as_org "$org"
  peer channel join -b build/meridian.block
done
