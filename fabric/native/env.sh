# Sourced by the other native scripts: the network of docker-compose.yml without Docker, every node a
# process on 127.0.0.1. Fabric's binaries come from MERIDIAN_FABRIC_BIN (Hyperledger's release
# `bin/`, or ../shared/fabric/bin on this project's machines). Ports default to the compose ones;
# set any of peer-env.sh's *_PORT variables to move a node (the test network picks free ones).
: "${MERIDIAN_FABRIC_BIN:?set MERIDIAN_FABRIC_BIN to a folder with Fabric 2.5 peer, orderer, configtxgen, osnadmin and cryptogen}"
MERIDIAN_FABRIC_BIN=$(cd "$MERIDIAN_FABRIC_BIN" && pwd)
# shellcheck disable=SC3028,SC3054 # BASH_SOURCE only exists in bash; sh falls back to $0
NATIVE_DIR=$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)
FABRIC_DIR=${FABRIC_DIR:-$(dirname "$NATIVE_DIR")}
REPO_DIR=$(dirname "$FABRIC_DIR")
ORDERER_HOST=${ORDERER_HOST:-127.0.0.1}
PEER1_HOST=${PEER1_HOST:-127.0.0.1}
PEER2_HOST=${PEER2_HOST:-127.0.0.1}
CA_HOST=${CA_HOST:-127.0.0.1}
CHAINCODE_PORT=${CHAINCODE_PORT:-9999}
CHAINCODE_ADDRESS=${CHAINCODE_ADDRESS:-127.0.0.1:$CHAINCODE_PORT}
. "$FABRIC_DIR/scripts/peer-env.sh"
# Where the running network keeps its configuration, ledgers, logs and process ids.
NATIVE_RUN=${NATIVE_RUN:-$FABRIC_BUILD/native}
# core.yaml and orderer.yaml: Fabric's sampleconfig, beside bin/ in a release and in ../shared/fabric.
MERIDIAN_FABRIC_CONFIG=${MERIDIAN_FABRIC_CONFIG:-$(dirname "$MERIDIAN_FABRIC_BIN")/config}
if [ -z "${MERIDIAN_FABRIC_CCAAS_BUILDER:-}" ]; then
  if [ -d "$MERIDIAN_FABRIC_BIN/ccaas_builder" ]; then
    MERIDIAN_FABRIC_CCAAS_BUILDER=$MERIDIAN_FABRIC_BIN/ccaas_builder
  else
    MERIDIAN_FABRIC_CCAAS_BUILDER=$(dirname "$MERIDIAN_FABRIC_BIN")/builders/ccaas
  fi
fi
export FABRIC_CFG_PATH="$NATIVE_RUN/config"
PATH="$MERIDIAN_FABRIC_BIN:$PATH"
export PATH MERIDIAN_FABRIC_BIN NATIVE_RUN CHAINCODE_PORT MERIDIAN_FABRIC_CONFIG MERIDIAN_FABRIC_CCAAS_BUILDER
