export { IssuanceModule } from './issuance.module.js';
export { IssuanceService, type IssuanceInput, type IssuedCredential } from './issuance.service.js';
export { CscaCertificateEntity } from './master-list/csca.entity.js';
export { MasterListService } from './master-list/master-list.service.js';
export { ActiveAuthError, ACTIVE_AUTH_REASONS, type ActiveAuthReason } from './icao/active-auth-error.js';
export { activeAuthentication, type ActiveAuthInput, type ActiveAuthResult } from './icao/active-authentication.js';
export { PassiveAuthError, PASSIVE_AUTH_CHECKS, type PassiveAuthCheck } from './icao/passive-auth-error.js';
export {
  passiveAuthentication,
  type PassiveAuthInput,
  type PassiveAuthOptions,
  type PassiveAuthResult,
} from './icao/passive-authentication.js';
export type { MrzData } from './icao/read-mrz.js';
// Synthetic documents for tests, benchmarks and the device simulator's station mode.
export {
  createTestCsca,
  createTestPassport,
  defaultMrzFields,
  type TestCsca,
  type TestCscaOptions,
  type TestPassport,
  type TestPassportDefects,
  type TestPassportOptions,
} from './testing/passport-factory.js';
export {
  fixtureFromJson,
  passportToFixture,
  type LoadedPassport,
  type PassportFixture,
} from './testing/passport-fixture.js';
