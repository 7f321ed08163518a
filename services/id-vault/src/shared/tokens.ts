/** The current time. Injected so expiry and retention are testable without sleeping. */
export type Clock = () => Date;
/** Makes a new prefixed id (`ur_…`). Injected so tests can pin ids. */
export type IdGenerator = (prefix: string) => string;

export const CLOCK = 'id-vault:clock';
export const ID_GENERATOR = 'id-vault:id-generator';

/** Days after a case ends at which its documents are purged (VAULT_PURGE_AFTER_DAYS). */
export const RETENTION_DAYS = 'id-vault:retention-days';
