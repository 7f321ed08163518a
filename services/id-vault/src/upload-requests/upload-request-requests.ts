import { z } from 'zod';
import { DOCUMENT_TYPES } from '../shared/document-types';

/** Body of `POST /internal/v1/upload-requests` (notification asking for a link). */
export const createUploadRequestBody = z
  .object({
    caseId: z.string().min(1).max(64),
    language: z.enum(['zh', 'en']).default('zh'),
    documents: z.array(z.enum(DOCUMENT_TYPES)).max(DOCUMENT_TYPES.length).optional(),
    idempotencyKey: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits and . _ : - only')
      .optional(),
  })
  .strict();
