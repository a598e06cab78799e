#!/bin/sh
# Registers and enrols a Meridian ledger user of Org1 with Fabric CA. The certificate carries
# meridian.user and meridian.role, plus any further meridian.* attribute given as name=value
# (jurisdiction, patient, delegateFor); it lands in the wallet Meridian reads
# (MERIDIAN_FABRIC_WALLET), as fabric/build/wallet/<user>/cert.pem and key.pem. Runs in the CA's
# container:
#   docker compose exec ca.org1.example.com sh /meridian/fabric/scripts/enrol.sh \
#     officer-de-1 compliance_officer jurisdiction=DE
set -eu
if [ $# -lt 2 ]; then
  echo "usage: enrol.sh USER ROLE [jurisdiction=DE] [patient=mp-...] [delegateFor=mp-...]" >&2
  exit 64
fi
user=$1
role=$2
shift 2
attrs="meridian.user=$user:ecert,meridian.role=$role:ecert"
for pair in "$@"; do
  attrs="$attrs,meridian.${pair%%=*}=${pair#*=}:ecert"
done

FABRIC_DIR=/meridian/fabric
CA="--caname ca-org1 --tls.certfiles /etc/hyperledger/fabric-ca-server-config/ca.org1.example.com-cert.pem"
ADMIN_HOME=$FABRIC_DIR/build/ca-admin
# shellcheck disable=SC2086 # $CA is a list of arguments
if [ ! -e "$ADMIN_HOME/msp/signcerts/cert.pem" ]; then
  fabric-ca-client enroll -u https://admin:adminpw@localhost:7054 $CA -H "$ADMIN_HOME"
fi
secret=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
# shellcheck disable=SC2086
fabric-ca-client register -u https://localhost:7054 $CA -H "$ADMIN_HOME" \
  --id.name "$user" --id.secret "$secret" --id.type client --id.attrs "$attrs"
enrolment=$(mktemp -d)
# Attributes marked :ecert are written into the enrolment certificate without asking.
# shellcheck disable=SC2086
fabric-ca-client enroll -u "https://$user:$secret@localhost:7054" $CA -H "$enrolment" -M "$enrolment/msp"
mkdir -p "$FABRIC_DIR/build/wallet/$user"
cp "$enrolment/msp/signcerts/cert.pem" "$FABRIC_DIR/build/wallet/$user/cert.pem"
cp "$enrolment"/msp/keystore/*_sk "$FABRIC_DIR/build/wallet/$user/key.pem"
chmod 600 "$FABRIC_DIR/build/wallet/$user/key.pem"
rm -rf "$enrolment"
echo "enrolled $user ($attrs) into fabric/build/wallet/$user"
