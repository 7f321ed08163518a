import { newSecret, secretsMatch } from '../sessions/session-token';

/** A sign-in started at the provider and not finished yet: the checks its callback must pass. */
export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly expiresAt: Date;
}

/** Long enough to type a password and pass a second factor at the provider, short enough to not linger. */
export const PENDING_LOGIN_TTL_SEC = 600;

/**
 * A new pending login and its browser binding: the binding goes to the browser in an HttpOnly
 * cookie and is stored hashed, so only the browser that started the sign-in can finish it (a code
 * and state pasted into another browser's callback find nothing: no login CSRF). Every value is 256
 * random bits; the verifier satisfies RFC 7636 (43 characters of the unreserved alphabet).
 */
export function newPendingLogin(
  now: Date,
  secret: () => string = newSecret,
): { binding: string; login: PendingLogin } {
  return {
    binding: secret(),
    login: {
      state: secret(),
      nonce: secret(),
      codeVerifier: secret(),
      expiresAt: new Date(now.getTime() + PENDING_LOGIN_TTL_SEC * 1000),
    },
  };
}

/** The callback's state is the one this browser's pending login expects (constant time). */
export function stateMatches(login: PendingLogin, presented: string | undefined): boolean {
  return secretsMatch(login.state, presented);
}
