import { Controller, Get, Query } from '@nestjs/common';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import { monthlyReviewQuery, ReviewService, type MonthlyReview } from './review.service';

/** The monthly clearance review for property managers (and the stewards of each property). */
@Controller('v1/reviews')
@Access.people('steward', 'manager', 'operator')
export class ReviewController {
  constructor(private readonly reviews: ReviewService) {}

  @Get('monthly')
  monthly(@CurrentPrincipal() caller: Principal, @Query() query: unknown): Promise<MonthlyReview> {
    // ZodError -> 400 validation_failed with the issue paths (service-kit's filter)
    return this.reviews.monthly(caller, monthlyReviewQuery.parse(query));
  }
}
