import { InitialSchema1795720000000 } from './1795720000000-initial-schema.js';
import { AdminKeysAndStations1795725700514 } from './1795725700514-admin-keys-and-stations.js';
import { Enrollments1795725701514 } from './1795725701514-enrollments.js';
import { CscaMasterList1795725710848 } from './1795725710848-csca-master-list.js';
import { TrustRevocationList1795726007749 } from './1795726007749-trust-revocation-list.js';
import { Services1795727000000 } from './1795727000000-services.js';
import { Oidc1795728000000 } from './1795728000000-oidc.js';
import { AccountLinks1795729000000 } from './1795729000000-account-links.js';
import { Saml1795730000000 } from './1795730000000-saml.js';
import { AdminOperations1795731000000 } from './1795731000000-admin-operations.js';
import { EnrollmentSigner1795732000000 } from './1795732000000-enrollment-signer.js';

/** Every migration, oldest first. A generated migration is reviewed, then added here. */
export const migrations = [
  InitialSchema1795720000000,
  AdminKeysAndStations1795725700514,
  Enrollments1795725701514,
  CscaMasterList1795725710848,
  TrustRevocationList1795726007749,
  Services1795727000000,
  Oidc1795728000000,
  AccountLinks1795729000000,
  Saml1795730000000,
  AdminOperations1795731000000,
  EnrollmentSigner1795732000000,
];
