import { Module } from '@nestjs/common';
import { ScorecardGauges } from './scorecard-gauges';
import { ScorecardRepository } from './scorecard.repository';
import { ScorecardsController } from './scorecards.controller';
import { Scorecards } from './scorecards.service';

/** Carrier scorecards: the HTTP report and the Prometheus gauges, both from two GROUP BY queries. */
@Module({
  controllers: [ScorecardsController],
  providers: [ScorecardRepository, Scorecards, ScorecardGauges],
})
export class ScorecardsModule {}
