#!/bin/sh
# peer0 of Org1 or Org2 in the foreground: `peer.sh 1` or `peer.sh 2`; up.sh runs both in the
# background. Gateway on PEERn_PORT, chaincode callbacks on PEERn_CC_PORT, operations (/healthz,
# /metrics) on PEERn_OPS_PORT.
set -eu
. "$(dirname "$0")/env.sh"
n=${1:?usage: peer.sh 1|2}
if [ "$n" = 1 ]; then
  host=$PEER1_HOST port=$PEER1_PORT cc=$PEER1_CC_PORT ops=$PEER1_OPS_PORT
else
  host=$PEER2_HOST port=$PEER2_PORT cc=$PEER2_CC_PORT ops=$PEER2_OPS_PORT
fi
P=$ORGS/peerOrganizations/org$n.example.com/peers/peer0.org$n.example.com
data=$NATIVE_RUN/data/peer$n
mkdir -p "$data"
export FABRIC_LOGGING_SPEC=${FABRIC_LOGGING_SPEC:-INFO}
export CORE_PEER_ID=peer0.org$n.example.com CORE_PEER_LOCALMSPID=Org${n}MSP CORE_PEER_MSPCONFIGPATH=$P/msp
export CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_CERT_FILE=$P/tls/server.crt
export CORE_PEER_TLS_KEY_FILE=$P/tls/server.key CORE_PEER_TLS_ROOTCERT_FILE=$P/tls/ca.crt
export CORE_PEER_ADDRESS=$host:$port CORE_PEER_LISTENADDRESS=$host:$port
export CORE_PEER_CHAINCODEADDRESS=$host:$cc CORE_PEER_CHAINCODELISTENADDRESS=$host:$cc
export CORE_PEER_GOSSIP_BOOTSTRAP=$host:$port CORE_PEER_GOSSIP_EXTERNALENDPOINT=$host:$port
export CORE_PEER_GATEWAY_ENABLED=true CORE_PEER_PROFILE_ENABLED=false
export CORE_PEER_FILESYSTEMPATH=$data CORE_LEDGER_SNAPSHOTS_ROOTDIR=$data/snapshots
export CORE_LEDGER_STATE_STATEDATABASE=goleveldb
export CORE_OPERATIONS_LISTENADDRESS=$host:$ops CORE_METRICS_PROVIDER=prometheus
exec peer node start
