import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { porticoNativeWebhook } from './portico-native.schema';

// The published JSON Schema is generated from the zod schema the service validates with, so the
// two cannot drift: this test fails when the file is stale. Regenerate with
//   UPDATE_JSON_SCHEMA=1 npx jest -c jest.unit.js --rootDir services/carrier-ingestion json-schema
const DOCS = resolve(__dirname, '../../../../../../docs/webhooks');
const FILE = resolve(DOCS, 'portico-native.schema.json');

function generated(): string {
  const schema = {
    ...z.toJSONSchema(porticoNativeWebhook, { io: 'input' }),
    $id: 'https://portico.example/schemas/webhooks/portico-native.schema.json',
    title: 'Portico-native tracking webhook',
    description:
      'Body of POST /webhooks/{carrierAccountId}, signed per Standard Webhooks (see portico-native.md). ' +
      'Not expressible here: customsHoldReason is required when status is customs_hold, exceptionReason when ' +
      'status is exception, and declaredValue.amount has at most the ISO 4217 decimals of its currency.',
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

describe('docs/webhooks/portico-native.schema.json', () => {
  it('is generated from the schema the service validates with', () => {
    const expected = generated();
    if (process.env.UPDATE_JSON_SCHEMA === '1') writeFileSync(FILE, expected);
    // compared as JSON, so formatting the file (prettier) does not make it "stale"
    expect(JSON.parse(readFileSync(FILE, 'utf8'))).toEqual(JSON.parse(expected));
  });
});

describe('docs/webhooks/portico-native.md', () => {
  it('shows an example body the service accepts', () => {
    const markdown = readFileSync(resolve(DOCS, 'portico-native.md'), 'utf8');
    const example = [...markdown.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((block) => block.includes('"tracking.updated"'));
    expect(example).toBeDefined();
    const parsed = porticoNativeWebhook.safeParse(JSON.parse(example!));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});
