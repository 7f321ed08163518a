// Barrel for the generated portico.clearance.v1 package (re-exported as `clearance` from the index).
export * from '../gen/portico/clearance/v1/case_pb';
