#!/bin/sh
# The genesis block of channel $CHANNEL (default meridian) as $FABRIC_BUILD/$CHANNEL.block, from
# configtx.yaml with peer-env.sh's host names, ports and BATCH_TIMEOUT filled in. generate.sh runs
# it for `meridian`; run it with another CHANNEL for a further channel on the same network.
set -eu
. "$(dirname "$0")/peer-env.sh"
sed -e "s|@ORGS@|$ORGS|g" \
  -e "s|@ORDERER_HOST@|$ORDERER_HOST|g" -e "s|@ORDERER_PORT@|$ORDERER_PORT|g" \
  -e "s|@PEER1_HOST@|$PEER1_HOST|g" -e "s|@PEER1_PORT@|$PEER1_PORT|g" \
  -e "s|@PEER2_HOST@|$PEER2_HOST|g" -e "s|@PEER2_PORT@|$PEER2_PORT|g" \
  -e "s|@BATCH_TIMEOUT@|$BATCH_TIMEOUT|g" \
  "$FABRIC_DIR/configtx.yaml" >"$FABRIC_BUILD/configtx.yaml"
configtxgen -configPath "$FABRIC_BUILD" -profile MeridianChannel -channelID "$CHANNEL" \
  -outputBlock "$FABRIC_BUILD/$CHANNEL.block"
