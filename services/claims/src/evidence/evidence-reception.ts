import { Inject, Injectable } from '@nestjs/common';
import { UPLOAD_RETRY_AFTER_SECONDS, UploadBusyError, type UploadGate } from '@portico/images';
import { DomainError } from '@portico/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EVIDENCE_UPLOAD_GATE } from '../shared/tokens';
import { EvidenceMetrics } from './evidence-metrics';
import { readEvidenceUpload, type EvidenceUploadForm } from './evidence-upload-parts';
import { EvidenceService } from './evidence.service';

/**
 * How an upload's body gets in, for every caller (staff and property systems, residents' links):
 * through the service's UploadGate (@portico/images). The slot is taken **before** the body is
 * read, so a burst of large photos waits as sockets, not as buffers and decoded pixels side by
 * side; one that waits too long is 503 `uploads_busy` with Retry-After.
 */
@Injectable()
export class EvidenceReception {
  constructor(
    @Inject(EVIDENCE_UPLOAD_GATE) private readonly gate: UploadGate,
    private readonly evidence: EvidenceService,
    private readonly metrics: EvidenceMetrics,
  ) {}

  async receive<T>(
    req: FastifyRequest,
    reply: FastifyReply,
    claimId: string,
    store: (form: EvidenceUploadForm) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.gate.run(async () => {
        let form: EvidenceUploadForm;
        try {
          form = await readEvidenceUpload(req, claimId);
        } catch (e) {
          if (e instanceof DomainError && e.code === 'evidence_too_large')
            this.evidence.refusedInTransit(claimId, 'too_large');
          throw e;
        }
        return store(form);
      });
    } catch (e) {
      if (e instanceof UploadBusyError) {
        this.metrics.busy();
        this.evidence.refusedBusy(claimId);
        reply.header('retry-after', String(UPLOAD_RETRY_AFTER_SECONDS));
      }
      throw e;
    }
  }
}
