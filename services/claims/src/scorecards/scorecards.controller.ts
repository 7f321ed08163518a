import { Controller, Get, Query } from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { z } from 'zod';
import { LANE_PATTERN } from './scorecard';
import { Scorecards, type ScorecardReport } from './scorecards.service';

// an instant with its offset, or a calendar day (UTC midnight)
const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((v) => new Date(v));

const scorecardQuery = z
  .object({
    carrier: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)
      .optional(),
    lane: z.string().regex(LANE_PATTERN).optional(),
    from: instant.optional(),
    to: instant.optional(),
    tenantId: z.string().min(1).max(100).optional(),
  })
  .strict();

/**
 * `GET /v1/scorecards?carrier=&lane=&from=&to=`: loss, damage and approval rates and time to
 * resolve per carrier and lane (definitions in scorecard.ts and the README). Managers see their
 * tenant's; operators one tenant's (`tenantId`) or, naming none, every tenant's together.
 */
@Controller('v1/scorecards')
@Access.people('manager', 'operator')
export class ScorecardsController {
  constructor(private readonly scorecards: Scorecards) {}

  @Get()
  async get(@CurrentPrincipal() caller: Principal, @Query() query: unknown): Promise<ScorecardReport> {
    return this.scorecards.forCaller(caller, scorecardQuery.parse(query));
  }
}
