import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_METADATA } from './access';

/**
 * Lists, at start-up, the HTTP endpoints that declare no @Access rule. They already fail closed;
 * this makes the omission visible before the first request does.
 */
@Injectable()
export class AccessAudit implements OnApplicationBootstrap {
  private readonly logger = new Logger('AccessAudit');

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  undeclaredEndpoints(): string[] {
    const out: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!type?.prototype) continue;
      const classRules = this.reflector.get<unknown[] | undefined>(ACCESS_METADATA, type);
      for (const method of this.scanner.getAllMethodNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[method] as object;
        if (this.reflector.get(PATH_METADATA, handler as never) === undefined) continue;
        const rules =
          this.reflector.get<unknown[] | undefined>(ACCESS_METADATA, handler as never) ?? classRules;
        if (!rules || rules.length === 0) out.push(`${type.name}.${method}`);
      }
    }
    return out;
  }

  onApplicationBootstrap(): void {
    const undeclared = this.undeclaredEndpoints();
    if (undeclared.length > 0) {
      this.logger.error(`endpoints without @Access (refused for everyone): ${undeclared.join(', ')}`);
    }
  }
}
