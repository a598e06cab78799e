#!/bin/sh
# FABRIC_CFG_PATH of the native network: Fabric's sample core.yaml, its external builder pointed at
# the ccaas builder, and orderer.yaml. Every node's own settings are environment variables.
set -eu
. "$(dirname "$0")/env.sh"
mkdir -p "$FABRIC_CFG_PATH"
for file in core.yaml orderer.yaml; do
  if [ ! -e "$MERIDIAN_FABRIC_CONFIG/$file" ]; then
    echo "no $file in $MERIDIAN_FABRIC_CONFIG: set MERIDIAN_FABRIC_CONFIG to Fabric's config/ folder" >&2
    exit 1
  fi
done
if [ ! -x "$MERIDIAN_FABRIC_CCAAS_BUILDER/bin/detect" ]; then
  echo "no ccaas builder in $MERIDIAN_FABRIC_CCAAS_BUILDER: set MERIDIAN_FABRIC_CCAAS_BUILDER" >&2
  exit 1
fi
# No Docker: chaincode runs as a service, and without a vm endpoint /healthz checks no Docker daemon.
sed -e "s|path: /opt/hyperledger/ccaas_builder|path: $MERIDIAN_FABRIC_CCAAS_BUILDER|" \
  -e 's|^    endpoint: unix:///var/run/docker.sock|    endpoint: ""|' \
  "$MERIDIAN_FABRIC_CONFIG/core.yaml" >"$FABRIC_CFG_PATH/core.yaml"
cp "$MERIDIAN_FABRIC_CONFIG/orderer.yaml" "$FABRIC_CFG_PATH/orderer.yaml"
