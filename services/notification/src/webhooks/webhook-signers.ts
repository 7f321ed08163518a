import { SecretBox } from '@portico/auth';
import { Webhook } from 'standardwebhooks';
import type { StoredSecret } from './webhooks.repository';

/** What a sealed subscriber secret is bound to: moving it to another subscription or version fails. */
export function webhookSecretAssociatedData(subscriptionId: string, version: number): string {
  return `portico:webhook-subscription-secret:v1:${subscriptionId}:${version}`;
}

const CACHE_LIMIT = 10_000;

/**
 * Opens subscribers' sealed secrets into `standardwebhooks` signers, once per (subscription, version):
 * the worker signs thousands of deliveries a second and the secrets change only on rotation. The
 * plaintext lives in this process's memory only, never in a log or an error.
 */
export class WebhookSigners {
  private readonly cache = new Map<string, Webhook>();

  constructor(private readonly box: SecretBox) {}

  seal(subscriptionId: string, version: number, secret: string) {
    return this.box.seal(secret, webhookSecretAssociatedData(subscriptionId, version));
  }

  /** Signers of the secrets given (newest first); throws SecretUnreadableError for one that cannot open. */
  signersOf(secrets: readonly StoredSecret[]): Webhook[] {
    return secrets.map((s) => {
      const key = `${s.subscriptionId}:${s.version}`;
      let signer = this.cache.get(key);
      if (!signer) {
        signer = new Webhook(
          this.box.open(s.sealed, webhookSecretAssociatedData(s.subscriptionId, s.version)),
        );
        if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(key, signer);
      }
      return signer;
    });
  }
}
