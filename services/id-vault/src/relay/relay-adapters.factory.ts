import { RelayAdapters } from './relay-adapter';
import { adapterKindsIn, type RelayDestination } from './relay-destination';
import { EmailRelayAdapter, type EmailRelaySettings } from './email-relay.adapter';
import { SignedHttpsPushAdapter } from './signed-https-push.adapter';
import { DhlExpressRelayAdapter } from './dhl-express-relay.adapter';

/**
 * The adapters this process relays with. The push needs nothing beyond its destinations; the
 * e-mail adapter needs an SMTP relay, and a destination asking for e-mail without one is refused at
 * start (a relay timer retrying a configuration error for days would help no one).
 */
export function createRelayAdapters(
  destinations: Readonly<Record<string, RelayDestination>>,
  email: EmailRelaySettings | undefined,
): RelayAdapters {
  if (adapterKindsIn(destinations).has('email') && !email) {
    throw new Error(
      'VAULT_RELAY_DESTINATIONS has an "email" destination but VAULT_RELAY_SMTP_HOST is not set',
    );
  }
  return new RelayAdapters({
    'signed-https-push': new SignedHttpsPushAdapter(),
    // Needs nothing beyond its destinations (credentials and account live there).
    'dhl-express-mydhl': new DhlExpressRelayAdapter(),
    ...(email ? { email: new EmailRelayAdapter(email) } : {}),
  });
}
