import {
  adapterKindsIn,
  destinationFor,
  relayDestinationsSchema,
  type RelayDestination,
} from './relay-destination';

const SECRET = `whsec_${Buffer.from('relay-destination-test-secret-0123456789').toString('base64')}`;
const parse = (raw: string | undefined) => relayDestinationsSchema.safeParse(raw);

/** The one message a bad setting produces, and everything the error would show anywhere. */
function refusal(raw: string): { message: string; everything: string } {
  const r = parse(raw);
  if (r.success) throw new Error(`expected ${raw.slice(0, 40)} to be refused`);
  return {
    message: r.error.issues[0]!.message,
    everything: `${r.error.message} ${JSON.stringify(r.error.issues)}`,
  };
}

describe('relayDestinationsSchema', () => {
  it('defaults to no destinations', () => {
    expect(parse(undefined)).toEqual({ success: true, data: {} });
  });

  it('reads a destination, filling in kind, recipient and adapter', () => {
    const r = parse(
      JSON.stringify({ 'sf-express': { url: 'https://broker.example.test/hooks', secret: SECRET } }),
    );
    expect(r.success && r.data).toEqual({
      'sf-express': {
        carrierCode: 'sf-express',
        recipientKind: 'carrier',
        recipientId: 'sf-express',
        url: 'https://broker.example.test/hooks',
        secret: SECRET,
        adapter: 'signed-https-push',
      },
    });
  });

  it('keeps a configured broker as recipient', () => {
    const r = parse(
      JSON.stringify({
        'sf-express': {
          url: 'https://broker.example.test/hooks',
          secret: SECRET,
          recipientKind: 'customs_broker',
          recipientId: 'broker-7',
        },
      }),
    );
    expect(r.success && r.data['sf-express']).toMatchObject({
      recipientKind: 'customs_broker',
      recipientId: 'broker-7',
    });
  });

  it('refuses bad JSON without echoing it (it holds secrets)', () => {
    const { message, everything } = refusal(`{"sf-express": {"url": "https://x.test", "secret": "${SECRET}"`);
    expect(message).toBe('must be a JSON object of carrier code -> destination');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('whsec_');
  });

  it.each([
    ['a secret without the whsec_ prefix', `sk_${SECRET.slice(6)}`],
    ['a whsec_ secret that is too short', 'whsec_c2hvcnQ='],
    ['a whsec_ secret with characters outside base64', `${SECRET}!`],
  ])('refuses %s, naming the field and not the value', (_what, secret) => {
    const { message, everything } = refusal(
      JSON.stringify({ 'sf-express': { url: 'https://x.test', secret } }),
    );
    expect(message).toBe('invalid destination at sf-express.secret: must be a whsec_ secret');
    expect(everything).not.toContain(secret);
  });

  it.each([
    ['a URL that is not one', { url: `not a url ${SECRET}`, secret: SECRET }, 'sf-express.url'],
    [
      'an unknown recipient kind',
      { url: 'https://x.test', secret: SECRET, recipientKind: 'friend' },
      'sf-express.recipientKind',
    ],
    ['an unknown adapter', { url: 'https://x.test', secret: SECRET, adapter: 'fax' }, 'sf-express.adapter'],
    [
      "a push's fields on an e-mail destination",
      { adapter: 'email', mailbox: 'desk@broker.example.test', url: 'https://x.test', secret: SECRET },
      'sf-express',
    ],
    ['an unknown field', { url: 'https://x.test', secret: SECRET, sekret: SECRET }, 'sf-express'],
  ])('refuses %s without showing the secret', (_what, destination, at) => {
    const { message, everything } = refusal(JSON.stringify({ 'sf-express': destination }));
    expect(message.startsWith(`invalid destination at ${at}`)).toBe(true);
    expect(everything).not.toContain(SECRET);
  });

  it('reads an e-mail destination: a clearance desk mailbox, no URL or secret', () => {
    const r = parse(
      JSON.stringify({
        ems: { adapter: 'email', mailbox: 'clearance@broker.example.test', recipientKind: 'customs_broker' },
      }),
    );
    expect(r.success && r.data).toEqual({
      ems: {
        carrierCode: 'ems',
        recipientKind: 'customs_broker',
        recipientId: 'ems',
        adapter: 'email',
        mailbox: 'clearance@broker.example.test',
      },
    });
    expect(r.success && [...adapterKindsIn(r.data)]).toEqual(['email']);
  });

  it('refuses an e-mail destination without a valid mailbox, without echoing it', () => {
    const mailbox = 'not-an-address-desk-7';
    const { message, everything } = refusal(JSON.stringify({ ems: { adapter: 'email', mailbox } }));
    expect(message).toBe('invalid destination at ems.mailbox: must be an e-mail address');
    expect(everything).not.toContain(mailbox);
  });

  it('reads a DHL Express MyDHL destination with its defaults (DCL, 1 MB of base64 per image)', () => {
    const r = parse(
      JSON.stringify({
        dhl: {
          adapter: 'dhl-express-mydhl',
          baseUrl: 'https://express.api.dhl.com/mydhlapi/',
          username: 'key',
          password: 'dhl-secret-value',
          accountNumber: '123456789',
        },
      }),
    );
    expect(r.success && r.data).toEqual({
      dhl: {
        carrierCode: 'dhl',
        recipientKind: 'carrier',
        recipientId: 'dhl',
        adapter: 'dhl-express-mydhl',
        baseUrl: 'https://express.api.dhl.com/mydhlapi',
        username: 'key',
        password: 'dhl-secret-value',
        accountNumber: '123456789',
        documentTypeCode: 'DCL',
        maxImageBase64Bytes: 1024 * 1024,
      },
    });
    expect(adapterKindsIn(r.success ? r.data : {})).toEqual(new Set(['dhl-express-mydhl']));
  });

  it('refuses a DHL destination with a bad account number without echoing its credentials', () => {
    const { message, everything } = refusal(
      JSON.stringify({
        dhl: {
          adapter: 'dhl-express-mydhl',
          baseUrl: 'https://express.api.dhl.com/mydhlapi',
          username: 'key',
          password: 'dhl-secret-value',
          accountNumber: 'ACC-1',
        },
      }),
    );
    expect(message).toContain('accountNumber');
    expect(everything).not.toContain('dhl-secret-value');
    expect(everything).not.toContain('ACC-1');
  });

  it('refuses a carrier code that is not lower-case kebab', () => {
    const { message, everything } = refusal(
      JSON.stringify({ 'SF Express': { url: 'https://x.test', secret: SECRET } }),
    );
    expect(message).toContain('invalid destination at SF Express');
    expect(everything).not.toContain(SECRET);
  });

  it('refuses something that is JSON but not an object of destinations', () => {
    expect(refusal('[1, 2]').message).toContain('invalid destination at');
    expect(refusal('"sf-express"').message).toContain('invalid destination at');
  });
});

describe('destinationFor', () => {
  const sf: RelayDestination = {
    carrierCode: 'sf-express',
    recipientKind: 'carrier',
    recipientId: 'sf-express',
    url: 'https://sf.example.test',
    secret: SECRET,
    adapter: 'signed-https-push',
  };
  const fallback: RelayDestination = {
    ...sf,
    carrierCode: 'default',
    recipientKind: 'customs_broker',
    recipientId: 'default',
    url: 'https://broker.example.test',
  };

  it('picks the carrier’s own destination first', () => {
    expect(destinationFor({ 'sf-express': sf, default: fallback }, 'sf-express')).toEqual(sf);
  });

  it('falls back to default, with the real carrier code as recipient (never "default")', () => {
    const d = destinationFor({ 'sf-express': sf, default: fallback }, 'jd-logistics');
    expect(d).toMatchObject({ url: 'https://broker.example.test', recipientId: 'jd-logistics' });
    expect(fallback.recipientId).toBe('default'); // the configuration itself is left alone
  });

  it('has none for an unconfigured carrier without a default', () => {
    expect(destinationFor({ 'sf-express': sf }, 'jd-logistics')).toBeUndefined();
  });
});
