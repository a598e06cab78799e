#!/bin/sh
# Org1's Fabric CA in the foreground, as docker-compose.yml's ca.org1.example.com: it signs with the
# Org1 CA key cryptogen made, so Org1MSP trusts what scripts/enrol.sh enrols. Listens on CA_PORT;
# operations on CA_OPS_PORT (its default, 9443, is the orderer's). Needs fabric-ca-server in
# MERIDIAN_FABRIC_BIN; CA_ADMIN_SECRET (default adminpw) is the bootstrap admin's secret.
set -eu
. "$(dirname "$0")/env.sh"
C=$ORGS/peerOrganizations/org1.example.com/ca
export FABRIC_CA_HOME=$NATIVE_RUN/data/ca
mkdir -p "$FABRIC_CA_HOME"
export FABRIC_CA_SERVER_CA_NAME=ca-org1 FABRIC_CA_SERVER_ADDRESS=$CA_HOST FABRIC_CA_SERVER_PORT=$CA_PORT
export FABRIC_CA_SERVER_TLS_ENABLED=true FABRIC_CA_SERVER_CSR_HOSTS="localhost,127.0.0.1"
export FABRIC_CA_SERVER_CA_CERTFILE=$C/ca.org1.example.com-cert.pem FABRIC_CA_SERVER_CA_KEYFILE=$C/priv_sk
export FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS=$CA_HOST:$CA_OPS_PORT
exec fabric-ca-server start -b "admin:${CA_ADMIN_SECRET:-adminpw}"
