export { AdminModule } from './admin.module.js';
export { ApiKeyEntity } from './api-keys/api-key.entity.js';
export { ApiKeyService } from './api-keys/api-key.service.js';
export { ROLES, actorOf, type Principal, type Role } from './api-keys/roles.js';
export {
  AdminAuth,
  AdminAuthGuard,
  ROLES_KEY,
  StationAuth,
  type AuthenticatedRequest,
} from './http/admin-auth.guard.js';
export { StationEntity } from './stations/station.entity.js';
export { StationsService } from './stations/stations.service.js';
