import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { Access } from '@portico/auth';
import {
  isDomainError,
  pageLanguage as languageOf,
  redirectToPage,
  sendLinkPage,
  wantsJson,
  type PageMessage,
} from '@portico/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EvidenceReception } from '../evidence/evidence-reception';
import type { EvidenceKind } from '../evidence/evidence-intake';
import { addedMessage, renderEvidencePage, renderLinkErrorPage } from './evidence-page';
import { ResidentEvidenceService } from './resident-evidence.service';

/**
 * The resident's one-time evidence link (`/e/<token>`): the page, an upload (one photo or value
 * proof per form), "done". Public: the token is the credential. Forms get a 303 back to the page
 * (post/redirect/get) or the page re-rendered with the reason; clients asking for JSON get JSON
 * and the service-kit error envelope.
 */
@Controller('e/:token')
@Access.public()
export class EvidencePageController {
  constructor(
    private readonly residents: ResidentEvidenceService,
    private readonly reception: EvidenceReception,
  ) {}

  @Get()
  async page(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Query('added') added: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const language = languageOf(lang, 'zh');
    const message = added === 'photo' || added === 'value_proof' ? addedMessage(language, added) : undefined;
    await this.render(reply, token, lang, message);
  }

  @Post('evidence')
  @HttpCode(201)
  async upload(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.outcome(req, reply, token, lang, async () => {
      // The link is checked before the gate and the body: a dead link costs no upload slot.
      const target = await this.residents.target(token);
      const item = await this.reception.receive(req, reply, target.claimId, (form) =>
        this.residents.upload(token, target, form),
      );
      return { json: { itemId: item.id, kind: item.kind, subject: item.subject }, added: item.kind };
    });
  }

  @Post('done')
  async done(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.outcome(req, reply, token, lang, async () => ({ json: await this.residents.finish(token) }));
  }

  /** Runs an action; JSON callers get its result or the error (global filter), forms get the page. */
  private async outcome(
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    lang: string | undefined,
    action: () => Promise<{ json: unknown; added?: EvidenceKind }>,
  ): Promise<void> {
    const language = languageOf(lang, 'zh');
    if (wantsJson(req)) {
      const r = await action();
      await reply.code(201).header('cache-control', 'no-store').send(r.json);
      return;
    }
    try {
      const r = await action();
      await redirectToPage(
        reply,
        `/e/${encodeURIComponent(token)}?lang=${language}${r.added ? `&added=${r.added}` : ''}`,
      );
    } catch (e) {
      if (!isDomainError(e)) throw e;
      await this.render(reply, token, language, { kind: 'error', lines: [e.localized[language]] }, e.status);
    }
  }

  private async render(
    reply: FastifyReply,
    token: string,
    lang: string | undefined,
    message?: PageMessage,
    status = 200,
  ): Promise<void> {
    await sendLinkPage(
      reply,
      lang,
      status,
      async (nonce) => {
        const view = await this.residents.view(token);
        return renderEvidencePage(view, {
          token,
          lang: languageOf(lang, view.link.language),
          nonce,
          message,
        });
      },
      renderLinkErrorPage,
    );
  }
}
