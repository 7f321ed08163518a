import { Module } from '@nestjs/common';
import { ReviewController } from './review.controller';
import { ReviewRepository } from './review.repository';
import { ReviewService } from './review.service';

/** The monthly review: read-only over the cases' own tables. */
@Module({ controllers: [ReviewController], providers: [ReviewRepository, ReviewService] })
export class ReviewModule {}
