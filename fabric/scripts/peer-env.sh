# Sourced by the other scripts (fabric-tools container, working directory /meridian): the peer CLI
# environment of one organisation's admin. Absolute paths: the peer CLI resolves relative ones
# against its own core.yaml.
FABRIC_DIR=$(cd "$(dirname "$0")/.." && pwd)
ORGS="$FABRIC_DIR/build/organizations"
ORDERER_CA="$ORGS/ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem"
ORDERER_TLS="$ORGS/ordererOrganizations/example.com/orderers/orderer.example.com/tls"
CHANNEL=${CHANNEL:-meridian}
CHAINCODE=${CHAINCODE:-meridian}
CHAINCODE_VERSION=0.1.0
# Either organisation's peer may endorse alone; see the README to require both.
ENDORSEMENT_POLICY=${ENDORSEMENT_POLICY:-"OR('Org1MSP.peer','Org2MSP.peer')"}

peer_tls_ca() {
  echo "$ORGS/peerOrganizations/org$1.example.com/tlsca/tlsca.org$1.example.com-cert.pem"
}

peer_address() {
  if [ "$1" = 1 ]; then echo peer0.org1.example.com:7051; else echo peer0.org2.example.com:9051; fi
}

as_org() {
  export CORE_PEER_TLS_ENABLED=true
  export CORE_PEER_LOCALMSPID="Org$1MSP"
  export CORE_PEER_TLS_ROOTCERT_FILE="$(peer_tls_ca "$1")"
  export CORE_PEER_MSPCONFIGPATH="$ORGS/peerOrganizations/org$1.example.com/users/Admin@org$1.example.com/msp"
  export CORE_PEER_ADDRESS="$(peer_address "$1")"
}
