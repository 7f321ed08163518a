import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, METRICS_REGISTRY, type Registry } from '@portico/observability';
import {
  EVIDENCE_KINDS,
  EVIDENCE_REJECTIONS,
  type EvidenceKind,
  type EvidenceRejection,
} from './evidence-intake';

export const EVIDENCE_LINK_EVENTS = ['issued', 'revoked', 'finished', 'item_added'] as const;
export type EvidenceLinkEvent = (typeof EVIDENCE_LINK_EVENTS)[number];

/**
 * Evidence counters. Labels are closed sets: the kind, `accepted` or the rejection code, the render
 * outcome. Never a claim, tenant or item id, never anything read from a file.
 */
@Injectable()
export class EvidenceMetrics {
  private readonly uploads: Counter<'kind' | 'outcome'>;
  private readonly checkSeconds: Histogram<'kind'>;
  private readonly renders: Counter<'outcome'>;
  private readonly renderSeconds: Histogram;
  private readonly verifications: Counter<'outcome'>;
  private readonly busyRefusals: Counter;
  private readonly links: Counter<'event'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.uploads = new Counter({
      name: 'portico_claims_evidence_uploads_total',
      help: 'Evidence uploads to claims, by kind and outcome (accepted, or the rejection code)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    });
    this.checkSeconds = new Histogram({
      name: 'portico_claims_evidence_check_seconds',
      help: 'Time to check and re-encode one evidence upload (type, caps, decode, rotate, strip, encode)',
      labelNames: ['kind'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.renders = new Counter({
      name: 'portico_claims_evidence_bundle_renders_total',
      help: 'Evidence bundle PDFs rendered, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.renderSeconds = new Histogram({
      name: 'portico_claims_evidence_bundle_render_seconds',
      help: 'Time to render one evidence bundle PDF',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.verifications = new Counter({
      name: 'portico_claims_evidence_verifications_total',
      help: 'Evidence bundles re-verified against their stored items, by outcome (intact / tampered)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.busyRefusals = new Counter({
      name: 'portico_claims_evidence_uploads_busy_total',
      help: 'Evidence uploads answered 503 uploads_busy: every upload slot (CLAIMS_UPLOAD_CONCURRENCY) stayed busy for the whole wait',
      registers: [registry],
    });
    this.links = new Counter({
      name: 'portico_claims_evidence_links_total',
      help: "Residents' one-time evidence links: issued, revoked, finished by the resident, and items added through them",
      labelNames: ['event'] as const,
      registers: [registry],
    });
    for (const event of EVIDENCE_LINK_EVENTS) this.links.inc({ event }, 0);
    // 'unknown': refused while streaming in (too large), before the form's kind was read.
    for (const kind of [...EVIDENCE_KINDS, 'unknown']) {
      this.uploads.inc({ kind, outcome: 'accepted' }, 0);
      for (const outcome of EVIDENCE_REJECTIONS) this.uploads.inc({ kind, outcome }, 0);
    }
    for (const outcome of ['rendered', 'failed']) this.renders.inc({ outcome }, 0);
  }

  upload(kind: EvidenceKind | 'unknown', outcome: 'accepted' | EvidenceRejection, seconds: number): void {
    this.uploads.inc({ kind, outcome });
    this.checkSeconds.observe({ kind }, seconds);
  }

  render(outcome: 'rendered' | 'failed', seconds: number): void {
    this.renders.inc({ outcome });
    if (outcome === 'rendered') this.renderSeconds.observe(seconds);
  }

  busy(): void {
    this.busyRefusals.inc();
  }

  link(event: EvidenceLinkEvent): void {
    this.links.inc({ event });
  }

  verification(intact: boolean): void {
    this.verifications.inc({ outcome: intact ? 'intact' : 'tampered' });
  }
}
