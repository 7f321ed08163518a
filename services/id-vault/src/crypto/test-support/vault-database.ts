// Integration-test plumbing: a fresh database per test file (from @portico/testing) migrated the
// way id-vault's is, plus random keyrings. Keys are generated per run; none is ever written down.
import { randomBytes } from 'node:crypto';
import { createMessagingMigration } from '@portico/messaging';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import { InitialSchema1795392000000 } from '../../../migrations/1795392000000-initial-schema';
import { DocumentsStorage1796000000001 } from '../../../migrations/1796000000001-documents-storage';
import { ConfiguredKeyring } from '../key-encryption-keys';

export type VaultTestDatabase = MigratedTestDatabase;

export function createVaultTestDatabase(prefix: string): Promise<VaultTestDatabase> {
  return createMigratedTestDatabase(
    prefix,
    [InitialSchema1795392000000, createMessagingMigration(1795392000001), DocumentsStorage1796000000001],
    { poolSize: 6 },
  );
}

/** Fresh random KEK material by id, and keyrings over any ordered subset of it. */
export class TestKeys {
  private readonly material = new Map<string, string>();

  base64(id: string): string {
    let key = this.material.get(id);
    if (!key) {
      key = randomBytes(32).toString('base64');
      this.material.set(id, key);
    }
    return key;
  }

  spec(...ids: string[]): string {
    return ids.map((id) => `${id}=${this.base64(id)}`).join(',');
  }

  keyring(...ids: string[]): ConfiguredKeyring {
    return ConfiguredKeyring.fromSpec(this.spec(...ids));
  }
}
