import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { z } from 'zod';
import { insuranceBody, type InsuranceView } from './insurance';
import { ParcelInsurance } from './parcel-insurance.service';

const parcelIdParam = z.string().regex(/^prc_[0-9a-f]{32}$/);
const tenantQuery = z.object({ tenantId: z.string().min(1).max(100).optional() }).strict();

/**
 * `GET|PUT /v1/parcels/:parcelId/insurance`: the coverage a parcel's claim is based on. Stewards
 * (their properties' parcels), managers, operators (`?tenantId=`) and property systems (API key
 * scope `claims:insurance`). PUT replaces the whole coverage; repeating it changes nothing.
 */
@Controller('v1/parcels/:parcelId/insurance')
@Access.people('steward', 'manager', 'operator')
@Access.propertySystem('claims:insurance')
export class InsuranceController {
  constructor(private readonly insurance: ParcelInsurance) {}

  @Get()
  async get(
    @CurrentPrincipal() caller: Principal,
    @Param('parcelId') parcelId: string,
    @Query() query: unknown,
  ): Promise<InsuranceView> {
    const { tenantId } = tenantQuery.parse(query);
    return this.insurance.get(caller, parcelIdParam.parse(parcelId), tenantId);
  }

  @Put()
  async put(
    @CurrentPrincipal() caller: Principal,
    @Param('parcelId') parcelId: string,
    @Query() query: unknown,
    @Body() body: unknown,
  ): Promise<InsuranceView> {
    const id = parcelIdParam.parse(parcelId);
    const { tenantId } = tenantQuery.parse(query);
    return this.insurance.put(caller, id, tenantId, insuranceBody.parse(body));
  }
}
