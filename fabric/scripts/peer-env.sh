# Sourced by the other scripts, and by an operator's shell (`. fabric/scripts/peer-env.sh`): where the
# network's nodes listen and the peer CLI environment of one organisation's admin. Its folder comes
# from BASH_SOURCE when bash sources it (then $0 is the caller's shell), else from the calling
# script's $0 (sh scripts beside it), unless FABRIC_DIR is set. Absolute paths: the peer CLI
# resolves relative ones against its own core.yaml.
# Defaults are the docker-compose network's names and ports; fabric/native/env.sh sets 127.0.0.1
# and free ports for a network without Docker.
if [ -z "${FABRIC_DIR:-}" ]; then
  # shellcheck disable=SC3028,SC3054 # BASH_SOURCE only exists in bash; sh falls back to $0
  FABRIC_DIR=$(cd "$(dirname "${BASH_SOURCE:-$0}")/.." && pwd)
fi
FABRIC_BUILD=${FABRIC_BUILD:-$FABRIC_DIR/build}
ORGS="$FABRIC_BUILD/organizations"
ORDERER_CA="$ORGS/ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem"
ORDERER_TLS="$ORGS/ordererOrganizations/example.com/orderers/orderer.example.com/tls"
CHANNEL=${CHANNEL:-meridian}
CHAINCODE=${CHAINCODE:-meridian}
CHAINCODE_VERSION=${CHAINCODE_VERSION:-0.1.0}
# Either organisation's peer may endorse alone; see the README to require both.
ENDORSEMENT_POLICY=${ENDORSEMENT_POLICY:-"OR('Org1MSP.peer','Org2MSP.peer')"}

# Where each node listens (host names as the other nodes and the CLI dial them).
ORDERER_HOST=${ORDERER_HOST:-orderer.example.com}
ORDERER_PORT=${ORDERER_PORT:-7050}
ORDERER_ADMIN_PORT=${ORDERER_ADMIN_PORT:-7053}
ORDERER_OPS_PORT=${ORDERER_OPS_PORT:-9443}
PEER1_HOST=${PEER1_HOST:-peer0.org1.example.com}
PEER1_PORT=${PEER1_PORT:-7051}
PEER1_CC_PORT=${PEER1_CC_PORT:-7052}
PEER1_OPS_PORT=${PEER1_OPS_PORT:-9444}
PEER2_HOST=${PEER2_HOST:-peer0.org2.example.com}
PEER2_PORT=${PEER2_PORT:-9051}
PEER2_CC_PORT=${PEER2_CC_PORT:-9052}
PEER2_OPS_PORT=${PEER2_OPS_PORT:-9445}
# Where both peers dial the chaincode service (baked into the ccaas package, so into its id).
CHAINCODE_ADDRESS=${CHAINCODE_ADDRESS:-meridian-chaincode:9999}
CA_HOST=${CA_HOST:-localhost}
CA_PORT=${CA_PORT:-7054}
# Fabric CA's default operations port is 9443, the orderer's.
CA_OPS_PORT=${CA_OPS_PORT:-9446}
# How long the orderer waits before cutting a block: every write waits for it.
BATCH_TIMEOUT=${BATCH_TIMEOUT:-2s}
# Exported, so the scripts one of them runs see the same network.
export FABRIC_DIR FABRIC_BUILD CHANNEL CHAINCODE CHAINCODE_VERSION ENDORSEMENT_POLICY ORDERER_HOST ORDERER_PORT \
  ORDERER_ADMIN_PORT ORDERER_OPS_PORT PEER1_HOST PEER1_PORT PEER1_CC_PORT PEER1_OPS_PORT PEER2_HOST PEER2_PORT \
  PEER2_CC_PORT PEER2_OPS_PORT CHAINCODE_ADDRESS CA_HOST CA_PORT CA_OPS_PORT BATCH_TIMEOUT

peer_tls_ca() {
  echo "$ORGS/peerOrganizations/org$1.example.com/tlsca/tlsca.org$1.example.com-cert.pem"
}

peer_address() {
  if [ "$1" = 1 ]; then echo "$PEER1_HOST:$PEER1_PORT"; else echo "$PEER2_HOST:$PEER2_PORT"; fi
}

orderer_address() {
  echo "$ORDERER_HOST:$ORDERER_PORT"
}

as_org() {
  export CORE_PEER_TLS_ENABLED=true
  export CORE_PEER_LOCALMSPID="Org$1MSP"
  CORE_PEER_TLS_ROOTCERT_FILE="$(peer_tls_ca "$1")"
  CORE_PEER_MSPCONFIGPATH="$ORGS/peerOrganizations/org$1.example.com/users/Admin@org$1.example.com/msp"
  CORE_PEER_ADDRESS="$(peer_address "$1")"
  export CORE_PEER_TLS_ROOTCERT_FILE CORE_PEER_MSPCONFIGPATH CORE_PEER_ADDRESS
}
