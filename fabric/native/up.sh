#!/usr/bin/env bash
# Brings up the Fabric test network natively (no Docker): crypto material and the channel block on
# the first run (generate.sh), then the orderer, both peers and the chaincode service as background
# processes (pids in $NATIVE_RUN/pids, logs in $NATIVE_RUN/logs), Org1's Fabric CA when
# fabric-ca-server is there, the channel `meridian` and the chaincode definition. Re-runnable;
# fabric/native/down.sh stops what it started, and a failed start stops it all.
#   MERIDIAN_FABRIC_BIN=/path/to/fabric/bin fabric/native/up.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
mkdir -p "$NATIVE_RUN/pids" "$NATIVE_RUN/logs"
# The peer CLI (generate.sh computes the package id with it) needs FABRIC_CFG_PATH first.
"$here/config.sh"
[ -e "$FABRIC_BUILD/organizations" ] || "$FABRIC_DIR/scripts/generate.sh"

# A failed start stops whatever it had started.
trap 'status=$?; [ $status -eq 0 ] || "$here/down.sh"; exit $status' EXIT

start() {
  local name=$1
  shift
  local pidfile=$NATIVE_RUN/pids/$name
  if [ -e "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "$name runs already (pid $(cat "$pidfile"))"
    return
  fi
  nohup "$@" >>"$NATIVE_RUN/logs/$name.log" 2>&1 &
  echo $! >"$pidfile"
  echo "started $name (pid $!, log $NATIVE_RUN/logs/$name.log)"
}

wait_for() {
  local name=$1 host=$2 port=$3
  for _ in $(seq 1 300); do
    if (echo >"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    if ! kill -0 "$(cat "$NATIVE_RUN/pids/$name")" 2>/dev/null; then
      echo "$name exited; see $NATIVE_RUN/logs/$name.log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "$name is not listening on $host:$port after 60 s" >&2
  return 1
}

start orderer "$here/orderer.sh"
start peer1 "$here/peer.sh" 1
start peer2 "$here/peer.sh" 2
start chaincode "$here/chaincode.sh"
# Org1's Fabric CA, for scripts/enrol.sh, when its binary is there (NATIVE_CA=0 leaves it out).
if [ "${NATIVE_CA:-1}" != 0 ] && [ -x "$MERIDIAN_FABRIC_BIN/fabric-ca-server" ]; then
  start ca "$here/ca.sh"
fi
wait_for orderer "$ORDERER_HOST" "$ORDERER_ADMIN_PORT"
wait_for peer1 "$PEER1_HOST" "$PEER1_PORT"
wait_for peer2 "$PEER2_HOST" "$PEER2_PORT"
wait_for chaincode 127.0.0.1 "$CHAINCODE_PORT"
[ ! -e "$NATIVE_RUN/pids/ca" ] || wait_for ca "$CA_HOST" "$CA_PORT"
"$FABRIC_DIR/scripts/create-channel.sh"
"$FABRIC_DIR/scripts/deploy-chaincode.sh"
echo "network up: channel $CHANNEL, Org1's peer at $PEER1_HOST:$PEER1_PORT, Org2's at $PEER2_HOST:$PEER2_PORT"
