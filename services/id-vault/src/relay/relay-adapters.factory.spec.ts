import { RelayAdapterMissingError } from './relay-adapter';
import { createRelayAdapters } from './relay-adapters.factory';
import type { EmailDestination, PushDestination } from './relay-destination';

const push: PushDestination = {
  carrierCode: 'sf-express',
  recipientKind: 'carrier',
  recipientId: 'sf-express',
  adapter: 'signed-https-push',
  url: 'https://sf.example.test/hooks',
  secret: `whsec_${'A'.repeat(32)}`,
};
const desk: EmailDestination = {
  carrierCode: 'ems',
  recipientKind: 'customs_broker',
  recipientId: 'broker-ems',
  adapter: 'email',
  mailbox: 'clearance@broker.example.test',
};
const smtp = {
  host: '127.0.0.1',
  port: 2525,
  secure: false,
  requireTls: true,
  from: 'relay@x.test',
  timeoutMs: 1_000,
};

describe('createRelayAdapters', () => {
  it('picks the adapter each destination names', () => {
    const adapters = createRelayAdapters({ 'sf-express': push, ems: desk }, smtp);
    expect(adapters.for(push).name).toBe('signed-https-push');
    expect(adapters.for(desk).name).toBe('email');
  });

  it('refuses at start an e-mail destination without an SMTP relay', () => {
    expect(() => createRelayAdapters({ ems: desk }, undefined)).toThrow(
      'VAULT_RELAY_DESTINATIONS has an "email" destination but VAULT_RELAY_SMTP_HOST is not set',
    );
  });

  it('runs push-only without SMTP, and says so if an e-mail destination still reaches it', () => {
    const adapters = createRelayAdapters({ 'sf-express': push }, undefined);
    expect(adapters.has('email')).toBe(false);
    expect(() => adapters.for(desk)).toThrow(RelayAdapterMissingError);
  });
});
