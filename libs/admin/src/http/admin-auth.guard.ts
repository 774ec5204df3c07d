import {
  applyDecorators,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '#idtoken/platform';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import type { Principal, Role } from '../api-keys/roles.js';
import { AdminAuthFailures } from './admin-auth-failures.js';

/** Reflect metadata key holding a route's roles (tests enumerate routes by it). */
export const ROLES_KEY = 'idtoken:roles';
const FORBIDDEN_CODE_KEY = 'idtoken:forbidden-code';

export type AuthenticatedRequest = FastifyRequest & { principal: Principal };

/**
 * Checks `Authorization: Bearer <api key>` and the route's roles: 401 without a valid key, 403 with the wrong role.
 * A presented key that fails counts against the client IP (AdminAuthFailures); past the limit, 429 before any lookup.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly failures: AdminAuthFailures,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles?.length) throw new Error('an admin route must declare its roles with @AdminAuth(…)');
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw new DomainError('unauthorized', 'An API key is required: Authorization: Bearer <key>');
    await this.failures.assertAllowed(request.ip);
    const presented = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/.exec(header)?.[1];
    if (!presented) {
      await this.failures.record(request.ip, 'malformed', request.id);
      throw new DomainError('unauthorized', 'An API key is required: Authorization: Bearer <key>');
    }
    const principal = await this.keys.authenticate(presented);
    if (!principal) {
      await this.failures.record(request.ip, 'unknown_or_revoked', request.id);
      throw new DomainError('unauthorized', 'The API key is unknown or revoked');
    }
    if (!roles.includes(principal.role)) {
      const code = this.reflector.get<ErrorCode | undefined>(FORBIDDEN_CODE_KEY, context.getHandler()) ?? 'forbidden';
      throw new DomainError(code, `This action needs the role ${roles.join(' or ')}; the key has ${principal.role}`);
    }
    request.principal = principal;
    return true;
  }
}

/** Declares who may call an /admin route (spec §9). Every admin route carries it. */
export function AdminAuth(...roles: Role[]) {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(AdminAuthGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'problem+json `unauthorized`: missing, unknown or revoked key' }),
    ApiForbiddenResponse({ description: `problem+json \`forbidden\`: the key's role is not ${roles.join(' or ')}` }),
    ApiTooManyRequestsResponse({
      description: 'problem+json `rate_limited`: too many failed authentications from this address this minute',
    }),
  );
}

/** Issuance routes: station keys only; any other key is refused with spec §3's `403 station_not_authorized`. */
export function StationAuth() {
  return applyDecorators(AdminAuth('station'), SetMetadata(FORBIDDEN_CODE_KEY, 'station_not_authorized'));
}
