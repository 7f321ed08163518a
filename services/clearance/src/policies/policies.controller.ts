import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { PoliciesService } from './policies.service';
import { etagOf, type PolicyChangeView, type PolicyView } from './policy-admin';
import { PolicyVersionRequiredError } from './policy-errors';
import {
  createPolicyBody,
  listPoliciesQuery,
  replacePolicyBody,
  versionPrecondition,
} from './policy-requests';

interface ReplyLike {
  header(name: string, value: string): unknown;
}

/**
 * Requirement policies per tenant. Stewards read, managers edit their tenant's, operators any
 * (platform defaults included). Thin: validate (ZodError -> 400 `validation_failed` with paths via
 * service-kit's filter), call the service, put the version in `ETag` for the next If-Match.
 */
@Controller('v1/policies')
@Access.people('steward', 'manager', 'operator')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  async list(
    @CurrentPrincipal() caller: Principal,
    @Query() query: unknown,
  ): Promise<{ items: PolicyView[] }> {
    return { items: await this.policies.list(caller, listPoliciesQuery.parse(query)) };
  }

  @Get(':policyId')
  async get(
    @CurrentPrincipal() caller: Principal,
    @Param('policyId') policyId: string,
    @Res({ passthrough: true }) reply: ReplyLike,
  ): Promise<PolicyView> {
    return withEtag(reply, await this.policies.get(caller, policyId));
  }

  @Get(':policyId/changes')
  async changes(
    @CurrentPrincipal() caller: Principal,
    @Param('policyId') policyId: string,
  ): Promise<{ items: PolicyChangeView[] }> {
    return { items: await this.policies.changes(caller, policyId) };
  }

  @Post()
  @HttpCode(201)
  @Access.people('manager', 'operator')
  async create(
    @CurrentPrincipal() caller: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: ReplyLike,
  ): Promise<PolicyView> {
    const view = await this.policies.create(caller, createPolicyBody.parse(body));
    reply.header('location', `/v1/policies/${view.id}`);
    return withEtag(reply, view);
  }

  @Put(':policyId')
  @Access.people('manager', 'operator')
  async replace(
    @CurrentPrincipal() caller: Principal,
    @Param('policyId') policyId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: ReplyLike,
  ): Promise<PolicyView> {
    const { version, ...rules } = replacePolicyBody.parse(body);
    const expected = versionPrecondition.parse({ 'if-match': ifMatch, version });
    if (expected === undefined) throw new PolicyVersionRequiredError();
    return withEtag(reply, await this.policies.replace(caller, policyId, rules, expected));
  }

  @Delete(':policyId')
  @Access.people('manager', 'operator')
  async deactivate(
    @CurrentPrincipal() caller: Principal,
    @Param('policyId') policyId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: ReplyLike,
  ): Promise<PolicyView> {
    const expected = versionPrecondition.parse({ 'if-match': ifMatch });
    return withEtag(reply, await this.policies.deactivate(caller, policyId, expected));
  }
}

function withEtag(reply: ReplyLike, view: PolicyView): PolicyView {
  reply.header('etag', etagOf(view.version));
  return view;
}
