import { Controller, Get, Logger, Query } from '@nestjs/common';
import { z } from 'zod';
import type { Session } from '../sessions/session';
import { CurrentSession } from '../sessions/session.guard';
import { UpstreamClient } from '../upstream/upstream-client';
import { monthsEnding, seriesByProperty, type MonthlyReview } from './review-series';

/** `GET /api/reviews/monthly?month=YYYY-MM&months=1..12&propertyId=` (ids and months only: nothing personal). */
const monthlyQuery = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM'),
    months: z.coerce.number().int().min(1).max(12).default(6),
    propertyId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).optional(),
  })
  .strict();

/**
 * The monthly review page: clearance's review for the chosen month and the months before it (the
 * trend the charts show). Stewards get their own properties only (clearance filters them).
 */
@Controller('api/reviews')
export class ReviewsController {
  private readonly logger = new Logger('reviews');

  constructor(private readonly upstream: UpstreamClient) {}

  @Get('monthly')
  async monthly(@CurrentSession() session: Session, @Query() query: unknown) {
    const q = monthlyQuery.parse(query);
    const reviews = await Promise.all(
      monthsEnding(q.month, q.months).map((month) => {
        const params = new URLSearchParams({ month, timeZone: 'Asia/Shanghai' });
        if (q.propertyId) params.set('propertyId', q.propertyId);
        return this.upstream.json<MonthlyReview>(session, 'clearance', 'GET', `/v1/reviews/monthly?${params}`);
      }),
    );
    this.logger.log({ accountId: session.account.id, month: q.month, months: q.months }, 'monthly review');
    return { month: q.month, current: reviews.at(-1)!, series: seriesByProperty(reviews) };
  }
}
