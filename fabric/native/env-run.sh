#!/bin/sh
# Runs a command with the native network's environment (Fabric's binaries on PATH, FABRIC_CFG_PATH,
# 127.0.0.1 and the ports of env.sh), e.g. an upgrade:
#   ENDORSEMENT_POLICY="AND('Org1MSP.peer','Org2MSP.peer')" fabric/native/env-run.sh fabric/scripts/deploy-chaincode.sh
set -eu
. "$(dirname "$0")/env.sh"
exec "$@"
