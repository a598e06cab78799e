#!/bin/sh
# Installs the chaincode-as-a-service package on both peers, approves it for both organisations
# and commits its definition. The meridian-chaincode container must be running (it serves the
# package id in build/chaincode.env):
#   docker compose run --rm fabric-tools fabric/scripts/deploy-chaincode.sh
set -eu
. "$(dirname "$0")/peer-env.sh"
cd "$FABRIC_DIR"
. build/chaincode.env
orderer="-o orderer.example.com:7050 --ordererTLSHostnameOverride orderer.example.com --tls --cafile $ORDERER_CA"
for org in 1 2; do
  as_org "$org"
  peer lifecycle chaincode install build/meridian-ccaas.tar.gz
  # shellcheck disable=SC2086 # $orderer is a list of arguments
  peer lifecycle chaincode approveformyorg $orderer --channelID "$CHANNEL" --name "$CHAINCODE" \
    --version "$CHAINCODE_VERSION" --package-id "$CHAINCODE_ID" --sequence 1 \
    --signature-policy "$ENDORSEMENT_POLICY"
done
as_org 1
# shellcheck disable=SC2086
peer lifecycle chaincode commit $orderer --channelID "$CHANNEL" --name "$CHAINCODE" \
  --version "$CHAINCODE_VERSION" --sequence 1 --signature-policy "$ENDORSEMENT_POLICY" \
  --peerAddresses "$(peer_address 1)" --tlsRootCertFiles "$(peer_tls_ca 1)" \
  --peerAddresses "$(peer_address 2)" --tlsRootCertFiles "$(peer_tls_ca 2)"
peer lifecycle chaincode querycommitted --channelID "$CHANNEL" --name "$CHAINCODE"
