import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Access, CurrentPrincipal, type Principal } from '@portico/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EvidenceReception } from './evidence-reception';
import { EvidenceService } from './evidence.service';

/** Downloads are files to save, never pages to render: no sniffing, no scripts, no caching. */
function asDownload(reply: FastifyReply, contentType: string, fileName: string): FastifyReply {
  return reply
    .header('content-type', contentType)
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store');
}

function spanIds(claimId: string, ids: Record<string, string> = {}): void {
  const span = trace.getActiveSpan();
  span?.setAttribute('portico.claim_id', claimId);
  for (const [k, v] of Object.entries(ids)) span?.setAttribute(`portico.claims.${k}`, v);
}

/**
 * A claim's evidence: uploads (multipart: `kind` photo | value_proof, `subject`, one `file`), their
 * list and download, evidence bundles (assemble now, list, manifest JSON, PDF, verification).
 * Front desks (stewards), managers and operators with person tokens; residents' and merchants'
 * uploads arrive through their property system (API key with scope `claims:evidence`). Thin:
 * parse, call one method, shape the reply.
 */
@Controller('v1/claims/:claimId')
@Access.people('steward', 'manager', 'operator')
@Access.propertySystem('claims:evidence')
export class EvidenceController {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly reception: EvidenceReception,
  ) {}

  @Post('evidence')
  async upload(
    @CurrentPrincipal() caller: Principal,
    @Param('claimId') claimId: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    spanIds(claimId);
    const item = await this.reception.receive(req, reply, claimId, (form) =>
      this.evidence.upload(caller, claimId, form),
    );
    spanIds(claimId, { evidence_item_id: item.id });
    reply.status(201);
    return item;
  }

  @Get('evidence')
  async list(@CurrentPrincipal() caller: Principal, @Param('claimId') claimId: string) {
    spanIds(claimId);
    return { items: await this.evidence.list(caller, claimId) };
  }

  @Get('evidence/:itemId/content')
  async content(
    @CurrentPrincipal() caller: Principal,
    @Param('claimId') claimId: string,
    @Param('itemId') itemId: string,
    @Res() reply: FastifyReply,
  ) {
    spanIds(claimId, { evidence_item_id: itemId });
    const item = await this.evidence.content(caller, claimId, itemId);
    const extension = item.contentType === 'application/pdf' ? 'pdf' : 'jpg';
    await asDownload(reply, item.contentType, `${item.id}.${extension}`)
      .header('x-content-sha256', item.sha256)
      .send(item.content);
  }

  @Post('evidence-bundles')
  async assemble(
    @CurrentPrincipal() caller: Principal,
    @Param('claimId') claimId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    spanIds(claimId);
    const bundle = await this.evidence.assemble(caller, claimId);
    spanIds(claimId, { evidence_bundle_id: bundle.id });
    reply.status(201);
    return bundle;
  }

  @Get('evidence-bundles')
  async bundles(@CurrentPrincipal() caller: Principal, @Param('claimId') claimId: string) {
    spanIds(claimId);
    return { items: await this.evidence.listBundles(caller, claimId) };
  }

  @Get('evidence-bundles/:bundleId/manifest.json')
  async manifest(
    @CurrentPrincipal() caller: Principal,
    @Param('claimId') claimId: string,
    @Param('bundleId') bundleId: string,
    @Res() reply: FastifyReply,
  ) {
    spanIds(claimId, { evidence_bundle_id: bundleId });
    const { json, sha256 } = await this.evidence.manifest(caller, claimId, bundleId);
    // The exact bytes the recorded SHA-256 is over (a re-serialised object would not hash the same).
    await asDownload(reply, 'application/json', `${bundleId}.manifest.json`)
      .header('x-content-sha256', sha256)
      .send(json);
  }

  @Get('evidence-bundles/:bundleId/bundle.pdf')
  async pdf(
    @CurrentPrincipal() caller: Principal,
    @Param('claimId') claimId: string,
    @Param('bundleId') bundleId: string,
    @Res() reply: FastifyReply,
  ) {
    spanIds(claimId, { evidence_bundle_id: bundleId });
    const { pdf, sha256 } = await this.evidence.pdf(caller, claimId, bundleId);
    await asDownload(reply, 'application/pdf', `${bundleId}.pdf`)
      .header('x-content-sha256', sha256)
      .send(pdf);
  }

  @Get('evidence-bundles/:bundleId/verification')
  async verification(
    @CurrentPrincipal() caller: Principal,
    @Param('claimId') claimId: string,
    @Param('bundleId') bundleId: string,
  ) {
    spanIds(claimId, { evidence_bundle_id: bundleId });
    return this.evidence.verify(caller, claimId, bundleId);
  }
}
