import { Inject, Injectable } from '@nestjs/common';
import type { Account } from './account';
import { AccountsRepository } from './accounts.repository';
import { DUMMY_HASH_PASSWORD, PasswordHasher } from './password-hasher';

/**
 * How a person proves who they are. The console depends on this port only; local accounts are one
 * adapter (the demo), an OIDC adapter (authorization-code flow against the tenant's IdP, mapping
 * its claims to an Account) is another, without changes to sessions, CSRF or the API.
 */
export interface LoginAuthenticator {
  /** The account for these credentials, or null (the caller answers one generic error). */
  authenticate(credentials: { username: string; password: string }): Promise<Account | null>;
}

export const LOGIN_AUTHENTICATOR = 'console:login-authenticator';

@Injectable()
export class LocalAccountAuthenticator implements LoginAuthenticator {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly accounts: AccountsRepository,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
  ) {}

  async authenticate({ username, password }: { username: string; password: string }): Promise<Account | null> {
    const found = await this.accounts.findForLogin(username.trim().toLowerCase());
    if (!found) {
      this.dummyHash ??= this.hasher.hash(DUMMY_HASH_PASSWORD);
      await this.hasher.verify(await this.dummyHash, password);
      return null;
    }
    return (await this.hasher.verify(found.passwordHash, password)) ? found.account : null;
  }
}
