// The vault's bearer secrets are the project's link secrets (moved to @portico/auth so that claims'
// resident evidence links use the same ones); kept under the vault's names for its modules.
export { hashSecret, issueSecret, looksLikeSecret, type IssuedSecret } from '@portico/auth';
