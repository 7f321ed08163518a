// Barrel for the generated portico.vault.v1 package (re-exported as `vault` from the index).
export * from '../gen/portico/vault/v1/document_pb';
