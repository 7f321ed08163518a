import { Body, Controller, Get, Header, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { Access, CurrentPrincipal, type PersonPrincipal } from '@portico/auth';
import { RetryAfterFilter } from '../shared/retry-after.filter';
import type { CarrierAccountView, CarrierAccountWithSecret } from './carrier-account';
import { createCarrierAccountBody, rotateSecretBody } from './carrier-account.dto';
import { CarrierAccountsService } from './carrier-accounts.service';

/**
 * Operator administration of carrier accounts. Thin: validate, call the service. A plaintext
 * secret is answered once, by the two calls that create one; reads never include secrets.
 */
@Controller('v1/carrier-accounts')
@Access.people('operator')
@UseFilters(RetryAfterFilter)
export class CarrierAccountsController {
  constructor(private readonly accounts: CarrierAccountsService) {}

  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store') // the answer carries a secret
  create(
    @Body() body: unknown,
    @CurrentPrincipal('person') operator: PersonPrincipal,
  ): Promise<CarrierAccountWithSecret> {
    // ZodError -> 400 validation_failed with the issue paths (service-kit's filter)
    return this.accounts.create(createCarrierAccountBody.parse(body), actorOf(operator));
  }

  @Post(':id/secrets')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  rotateSecret(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal('person') operator: PersonPrincipal,
  ): Promise<CarrierAccountWithSecret> {
    const { secret } = rotateSecretBody.parse(body ?? {});
    return this.accounts.rotateSecret(id, actorOf(operator), secret);
  }

  @Post(':id/disable')
  @HttpCode(200)
  disable(
    @Param('id') id: string,
    @CurrentPrincipal('person') operator: PersonPrincipal,
  ): Promise<CarrierAccountView> {
    return this.accounts.disable(id, actorOf(operator));
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<CarrierAccountView> {
    return this.accounts.get(id);
  }
}

function actorOf(principal: PersonPrincipal) {
  return { kind: principal.kind, subject: principal.subject };
}
