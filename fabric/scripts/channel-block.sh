#!/bin/sh
# The genesis block of channel $CHANNEL (default meridian) as $FABRIC_BUILD/$CHANNEL.block, from
# configtx.yaml with peer-env.sh's host names, ports and BATCH_TIMEOUT filled in. generate.sh runs
# it for `meridian`; run it with another CHANNEL for a further channel on the same network.
set -eu
. "$(dirname "$0")/peer-env.sh"
sed -e "s|__ORGS__|$ORGS|g" \
  -e "s|__ORDERER_HOST__|$ORDERER_HOST|g" -e "s|__ORDERER_PORT__|$ORDERER_PORT|g" \
  -e "s|__PEER1_HOST__|$PEER1_HOST|g" -e "s|__PEER1_PORT__|$PEER1_PORT|g" \
  -e "s|__PEER2_HOST__|$PEER2_HOST|g" -e "s|__PEER2_PORT__|$PEER2_PORT|g" \
  -e "s|__BATCH_TIMEOUT__|$BATCH_TIMEOUT|g" \
  "$FABRIC_DIR/configtx.yaml" >"$FABRIC_BUILD/configtx.yaml"
configtxgen -configPath "$FABRIC_BUILD" -profile MeridianChannel -channelID "$CHANNEL" \
  -outputBlock "$FABRIC_BUILD/$CHANNEL.block"
