#!/bin/sh
# Installs the chaincode-as-a-service package on both peers, approves its definition for both
# organisations and commits it on channel $CHANNEL. The chaincode service must be running (it
# serves the package id in chaincode.env):
#   docker compose run --rm fabric-tools fabric/scripts/deploy-chaincode.sh
# Re-runnable: a peer that has the package is not asked to install it again; when the committed
# sequence is the one this script last committed with the same version, ENDORSEMENT_POLICY and
# package, nothing changes; otherwise the definition is approved and committed as the next sequence
# after the committed one (an upgrade, e.g. ENDORSEMENT_POLICY="AND('Org1MSP.peer','Org2MSP.peer')"),
# resuming an approval an earlier run left uncommitted.
set -eu
. "$(dirname "$0")/peer-env.sh"
# shellcheck disable=SC1091 # written by generate.sh
. "$FABRIC_BUILD/chaincode.env"
orderer="-o $(orderer_address) --ordererTLSHostnameOverride orderer.example.com --tls --cafile $ORDERER_CA"
definition() {
  echo --channelID "$CHANNEL" --name "$CHAINCODE" --version "$CHAINCODE_VERSION" --sequence "$1"
}

# patiently CMD...: runs CMD, again every second for up to 60 s while the orderer has no Raft leader
# yet or a peer is not answering yet (a network that has just started); its output in $refusal.
patiently() {
  for _ in $(seq 1 60); do
    if refusal=$("$@" 2>&1); then
      echo "$refusal"
      return 0
    fi
    case $refusal in
      *"no Raft leader"* | *SERVICE_UNAVAILABLE* | *"connection refused"* | *Unavailable*) sleep 1 ;;
      *) return 1 ;;
    esac
  done
  return 1
}

# approve ORG SEQUENCE: 0 approved, 1 refused (the peer's words in $refusal).
approve() {
  as_org "$1"
  # shellcheck disable=SC2086,SC2046 # lists of arguments
  if patiently peer lifecycle chaincode approveformyorg $orderer $(definition "$2") --package-id "$CHAINCODE_ID" \
    --signature-policy "$ENDORSEMENT_POLICY"; then
    return 0
  fi
  # An earlier run approved this very definition before its commit failed.
  case $refusal in *"with unchanged content"*) return 0 ;; esac
  return 1
}

for org in 1 2; do
  as_org "$org"
  if peer lifecycle chaincode queryinstalled 2>/dev/null | grep -q "Package ID: $CHAINCODE_ID,"; then
    echo "Org$org's peer has $CHAINCODE_ID installed already"
  else
    peer lifecycle chaincode install "$FABRIC_BUILD/meridian-ccaas.tar.gz"
  fi
done

as_org 1
# Not defined yet: sequence 0. Any other failure (a peer not answering) stops here.
if patiently peer lifecycle chaincode querycommitted --channelID "$CHANNEL" --name "$CHAINCODE" -O json >/dev/null; then
  committed=$(echo "$refusal" | sed -n 's/^[[:space:]]*"sequence":[[:space:]]*\([0-9]*\).*/\1/p')
else
  case $refusal in
    *"namespace $CHAINCODE is not defined"*) committed=0 ;;
    *) echo "$refusal" >&2; exit 1 ;;
  esac
fi
committed=${committed:-0}
# What this script last committed on the channel. The committed definition itself does not say which
# policy string it came from, so a definition committed by anyone else is replaced by an upgrade.
record="$FABRIC_BUILD/deployed-$CHANNEL.env"
wanted="$committed|$CHAINCODE_VERSION|$ENDORSEMENT_POLICY|$CHAINCODE_ID"
if [ "$committed" -gt 0 ] && [ -e "$record" ] && [ "$(cat "$record")" = "$wanted" ]; then
  echo "sequence $committed of $CHAINCODE on $CHANNEL is the definition wanted; nothing to commit"
else
  sequence=$((committed + 1))
  for org in 1 2; do
    if ! approve "$org" "$sequence"; then
      echo "$refusal" >&2
      exit 1
    fi
  done
  as_org 1
  # shellcheck disable=SC2086,SC2046
  if ! patiently peer lifecycle chaincode commit $orderer $(definition "$sequence") \
    --signature-policy "$ENDORSEMENT_POLICY" \
    --peerAddresses "$(peer_address 1)" --tlsRootCertFiles "$(peer_tls_ca 1)" \
    --peerAddresses "$(peer_address 2)" --tlsRootCertFiles "$(peer_tls_ca 2)"; then
    echo "$refusal" >&2
    exit 1
  fi
  echo "$sequence|$CHAINCODE_VERSION|$ENDORSEMENT_POLICY|$CHAINCODE_ID" >"$record"
fi
peer lifecycle chaincode querycommitted --channelID "$CHANNEL" --name "$CHAINCODE"
