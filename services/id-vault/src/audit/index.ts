// The id-vault audit log: append-only, hash-chained, with signed heads exported outside the database.
export * from './audit-entry';
export * from './audit-chain';
export * from './audit-log';
export * from './audit-metrics';
export * from './audit-head';
export * from './audit-head-signer';
export * from './audit-verifier';
export * from './audit-settings';
