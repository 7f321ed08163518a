import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { Access } from '@portico/auth';
import { UPLOAD_RETRY_AFTER_SECONDS, UploadBusyError, type UploadGate } from '@portico/images';
import {
  isDomainError,
  pageLanguage as languageOf,
  redirectToPage,
  sendLinkPage,
  wantsJson,
  type DomainError,
} from '@portico/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Language } from '../upload-requests/upload-request';
import { DocumentChecksFailedError } from './resident-errors';
import { pageText, renderLinkErrorPage, renderResidentPage, type PageMessage } from './resident-page';
import { ResidentUploadService } from './resident-upload.service';
import { readUpload } from './upload-parts';

export const MAX_UPLOAD_BYTES = 'id-vault:max-upload-bytes';
export const UPLOAD_GATE = 'id-vault:upload-gate';

/**
 * The resident's one-time link (`/u/<token>`): the page, consent, upload, withdrawal. Public: the
 * token is the credential. HTML forms get HTML back (a 303 to the page on success, the page re-rendered
 * with the reasons on failure), the page's script and API clients get JSON.
 */
@Controller('u/:token')
@Access.public()
export class ResidentController {
  constructor(
    private readonly residents: ResidentUploadService,
    @Inject(MAX_UPLOAD_BYTES) private readonly maxUploadBytes: number,
    @Inject(UPLOAD_GATE) private readonly gate: UploadGate,
  ) {}

  @Get()
  async page(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    await this.render(reply, token, lang);
  }

  @Get('status')
  async status(@Param('token') token: string) {
    const v = await this.residents.view(token);
    return {
      requestId: v.requestId,
      link: v.link,
      expiresAt: v.expiresAt.toISOString(),
      consent: v.consent && { textVersion: v.consent.textVersion, givenAt: v.consent.givenAt.toISOString() },
      documents: v.documents,
    };
  }

  @Post('consent')
  @HttpCode(201)
  async consent(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.outcome(req, reply, token, lang, async (language) => {
      const c = await this.residents.giveConsent(token, language);
      return { json: { consentId: c.id, textVersion: c.textVersion } };
    });
  }

  @Post('documents')
  async upload(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.outcome(req, reply, token, lang, () =>
      // The slot is taken before the body is read: a waiting upload holds a socket, not its photos.
      this.gate
        .run(async () => {
          const parsed = await readUpload(req, this.maxUploadBytes);
          const { documentId } = await this.residents.submit(token, parsed);
          return { json: { documentId, status: 'received' } };
        })
        .catch((e: unknown) => {
          if (e instanceof UploadBusyError) reply.header('retry-after', String(UPLOAD_RETRY_AFTER_SECONDS));
          throw e;
        }),
    );
  }

  @Post('withdraw')
  async withdraw(
    @Param('token') token: string,
    @Query('lang') lang: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.outcome(req, reply, token, lang, async (language) => {
      const r = await this.residents.withdraw(token);
      return { json: r, message: { kind: 'ok', lines: [pageText(language).withdrawn] } };
    });
  }

  /** Runs an action; JSON callers get its result or the error (via the global filter), forms get the page. */
  private async outcome(
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    lang: string | undefined,
    action: (language: Language) => Promise<{ json: unknown; message?: PageMessage }>,
  ): Promise<void> {
    const language = languageOf(lang, 'zh');
    if (wantsJson(req)) {
      const r = await action(language);
      await reply.code(201).header('cache-control', 'no-store').send(r.json);
      return;
    }
    let message: PageMessage | undefined;
    let status = 200;
    try {
      message = (await action(language)).message;
      if (!message) {
        // Post/redirect/get (also the page's script reloads it after an upload).
        await redirectToPage(reply, `/u/${encodeURIComponent(token)}?lang=${language}`);
        return;
      }
    } catch (e) {
      if (!isDomainError(e)) throw e;
      status = e.status;
      message = { kind: 'error', lines: errorLines(e, language) };
    }
    await this.render(reply, token, language, message, status);
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
        return renderResidentPage(view, { token, lang: languageOf(lang, view.language), nonce, message });
      },
      renderLinkErrorPage,
    );
  }
}

function errorLines(e: DomainError, lang: Language): string[] {
  const lines = [e.localized[lang]];
  if (e instanceof DocumentChecksFailedError) lines.push(...e.failures.map((f) => f.message[lang]));
  return lines;
}
