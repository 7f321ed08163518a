// Barrel for the generated portico.claims.v1 package (re-exported as `claims` from the index).
export * from '../gen/portico/claims/v1/claim_pb';
