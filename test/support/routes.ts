import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ROLES_KEY, type Role } from '#idtoken/admin';
import type { RunningApp } from './test-app.js';

export interface Route {
  method: string;
  /** The Nest path template (`/admin/services/:serviceId`). */
  path: string;
  roles: Role[] | undefined;
  /** Left out of the OpenAPI document on purpose (@ApiExcludeController / @ApiExcludeEndpoint). */
  excludedFromOpenApi: boolean;
}

/** Every route of the application with its declared roles, read from Nest's own metadata. */
export function routesOf(server: RunningApp): Route[] {
  const routes: Route[] = [];
  for (const module of server.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const classRoles = Reflect.getMetadata(ROLES_KEY, controller) as Role[] | undefined;
      const classExcluded = Boolean(Reflect.getMetadata('swagger/apiExcludeController', controller)?.[0]);
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const full = `/${[base, path]
          .map((part) => part.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        const roles = (Reflect.getMetadata(ROLES_KEY, handler) as Role[] | undefined) ?? classRoles;
        const excluded = classExcluded || Boolean(Reflect.getMetadata('swagger/apiExcludeEndpoint', handler)?.disable);
        routes.push({ method: RequestMethod[method], path: full, roles, excludedFromOpenApi: excluded });
      }
    }
  }
  return routes;
}
