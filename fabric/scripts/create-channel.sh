#!/bin/sh
# The orderer and both peers join channel $CHANNEL (default meridian). Run once the network is up:
#   docker compose run --rm fabric-tools fabric/scripts/create-channel.sh
# A channel the orderer or a peer has already joined is left as it is, so this can be re-run.
set -eu
. "$(dirname "$0")/peer-env.sh"
block="$FABRIC_BUILD/$CHANNEL.block"
[ -e "$block" ] || "$FABRIC_DIR/scripts/channel-block.sh"
admin="-o $ORDERER_HOST:$ORDERER_ADMIN_PORT --ca-file $ORDERER_CA --client-cert $ORDERER_TLS/server.crt --client-key $ORDERER_TLS/server.key"
# shellcheck disable=SC2086 # $admin is a list of arguments
# osnadmin exits 0 whatever the answer; the HTTP status says whether the orderer has the channel.
if osnadmin channel list $admin --channelID "$CHANNEL" 2>/dev/null | grep -q '^Status: 200'; then
  echo "the orderer has joined $CHANNEL already"
else
  # shellcheck disable=SC2086
  osnadmin channel join $admin --channelID "$CHANNEL" --config-block "$block"
fi
for org in 1 2; do
  as_org "$org"
  if peer channel list 2>/dev/null | grep -qx "$CHANNEL"; then
    echo "peer of Org$org has joined $CHANNEL already"
  else
    peer channel join -b "$block"
  fi
done
