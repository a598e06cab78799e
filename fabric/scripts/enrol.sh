#!/bin/sh
# Registers and enrols a Meridian ledger user of Org1 with Fabric CA. The certificate carries
# meridian.user and meridian.role, plus any further meridian.* attribute given as name=value
# (jurisdiction, patient, delegateFor); it lands in the wallet Meridian reads
# (MERIDIAN_FABRIC_WALLET), as $FABRIC_BUILD/wallet/<user>/cert.pem and key.pem. In the CA's
# container (compose), or natively beside fabric/native/ca.sh:
#   docker compose exec ca.org1.example.com sh /meridian/fabric/scripts/enrol.sh \
#     officer-de-1 compliance_officer jurisdiction=DE
#   fabric/native/env-run.sh fabric/scripts/enrol.sh officer-de-1 compliance_officer jurisdiction=DE
# The enrolment secret is random, used once here and never printed.
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

. "$(dirname "$0")/peer-env.sh"
ca_url="$CA_HOST:$CA_PORT"
CA="--caname ca-org1 --tls.certfiles $ORGS/peerOrganizations/org1.example.com/ca/ca.org1.example.com-cert.pem"
ADMIN_HOME=$FABRIC_BUILD/ca-admin
# quietly CMD...: fabric-ca-client's output shown only when it fails, with every secret masked.
quietly() {
  if ! output=$("$@" 2>&1); then
    echo "$output" | sed -e 's/Password: .*/Password: ***/' -e 's|//[^:/@]*:[^@]*@|//***@|g' >&2
    return 1
  fi
}
# shellcheck disable=SC2086 # $CA is a list of arguments
if [ ! -e "$ADMIN_HOME/msp/signcerts/cert.pem" ]; then
  quietly fabric-ca-client enroll -u "https://admin:${CA_ADMIN_SECRET:-adminpw}@$ca_url" $CA -H "$ADMIN_HOME"
fi
secret=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
# fabric-ca-client prints the secret it registered ("Password: ..."): its output goes nowhere.
# shellcheck disable=SC2086
quietly fabric-ca-client register -u "https://$ca_url" $CA -H "$ADMIN_HOME" \
  --id.name "$user" --id.secret "$secret" --id.type client --id.attrs "$attrs"
enrolment=$(mktemp -d)
trap 'rm -rf "$enrolment"' EXIT
# Attributes marked :ecert are written into the enrolment certificate without asking.
# shellcheck disable=SC2086
quietly fabric-ca-client enroll -u "https://$user:$secret@$ca_url" $CA -H "$enrolment" -M "$enrolment/msp"
mkdir -p "$FABRIC_BUILD/wallet/$user"
cp "$enrolment/msp/signcerts/cert.pem" "$FABRIC_BUILD/wallet/$user/cert.pem"
cp "$enrolment"/msp/keystore/*_sk "$FABRIC_BUILD/wallet/$user/key.pem"
chmod 600 "$FABRIC_BUILD/wallet/$user/key.pem"
echo "enrolled $user ($attrs) into $FABRIC_BUILD/wallet/$user"
