import { create } from '@bufbuild/protobuf';
import { Inject, Injectable } from '@nestjs/common';
import { common, type DigestKey } from '@portico/contracts';
import { DocumentChecker, type CheckOutcome, type CheckRequest } from '../documents/document-ports';
import {
  documentSideToContract,
  documentTypeToContract,
  DOCUMENT_SIDES,
  type DocumentSideName,
} from '../shared/document-types';
import { describeFailure } from './check-messages';
import {
  DEFAULT_DOCUMENT_CHECK_CONFIG,
  runDocumentChecks,
  toProtoCheckCode,
  type DocumentCheckConfig,
} from './document-checks';

export const CHECK_SETTINGS = 'id-vault:check-settings';
export interface CheckSettings {
  readonly digestKeys: readonly DigestKey[];
  readonly maxUploadBytes: number;
}

function sideName(side: common.DocumentSide | undefined): DocumentSideName | undefined {
  return DOCUMENT_SIDES.find((s) => side !== undefined && documentSideToContract(s) === side);
}

function parseDigest(stored: string | null): common.KeyedDigest | undefined {
  if (!stored) return undefined;
  const i = stored.indexOf(':');
  return create(common.KeyedDigestSchema, {
    keyId: stored.slice(0, i),
    value: new Uint8Array(Buffer.from(stored.slice(i + 1), 'base64')),
  });
}

/** The DocumentChecker of the service: the checks in this folder, with the vault's limits and keys. */
@Injectable()
export class ArrivalChecker extends DocumentChecker {
  private readonly config: DocumentCheckConfig;

  constructor(@Inject(CHECK_SETTINGS) private readonly settings: CheckSettings) {
    super();
    this.config = { ...DEFAULT_DOCUMENT_CHECK_CONFIG, maxBytes: settings.maxUploadBytes };
  }

  async check(r: CheckRequest): Promise<CheckOutcome> {
    const result = await runDocumentChecks(
      {
        requestedType: documentTypeToContract(r.requestedType),
        declaredType: documentTypeToContract(r.documentType),
        sides: r.sides.map((s) => ({ side: documentSideToContract(s.side), bytes: s.bytes })),
        typed: { idNumber: r.typed.idNumber, cardExpiry: r.typed.expiry, name: r.typed.name },
      },
      {
        config: this.config,
        reference: r.validUntilAtLeast,
        waybillNameDigest: parseDigest(r.waybillNameDigest),
        digestKeys: this.settings.digestKeys,
      },
    );
    if (result.ok) {
      return {
        ok: true,
        sides: result.sides.map((s) => ({ ...s, side: sideName(s.side) ?? 'single_page' })),
      };
    }
    return {
      ok: false,
      failures: result.failures.map((f) => {
        const m = describeFailure(f);
        return {
          code: toProtoCheckCode(f.code),
          name: f.code,
          side: sideName(f.side),
          message: { en: m.en, zh: m.zh },
        };
      }),
    };
  }
}
