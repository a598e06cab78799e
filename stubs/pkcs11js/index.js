'use strict';
// fabric-gateway loads pkcs11js only to sign through an HSM (signers.newHSMSignerFactory).
throw new Error('pkcs11js is not installed: Meridian signs Fabric transactions with PEM keys, not through an HSM');
