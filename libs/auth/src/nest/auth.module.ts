import {
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AccessAudit } from './access-audit';
import { AuthGuard } from './auth.guard';
import { Authenticator, type AuthModuleOptions } from './authenticator';

export const AUTH_MODULE_OPTIONS = Symbol('AUTH_MODULE_OPTIONS');

export interface AuthModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: (InjectionToken | OptionalFactoryDependency)[];
  readonly useFactory: (...args: never[]) => AuthModuleOptions | Promise<AuthModuleOptions>;
}

/**
 * Import once in a service's root module. Registers AuthGuard globally, so every controller in
 * the application is covered, including ones added later.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return AuthModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        { provide: AUTH_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: Authenticator,
          useFactory: (o: AuthModuleOptions) => new Authenticator(o),
          inject: [AUTH_MODULE_OPTIONS],
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        AccessAudit,
      ],
      exports: [Authenticator, AUTH_MODULE_OPTIONS, AccessAudit],
    };
  }
}
