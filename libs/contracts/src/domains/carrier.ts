// Barrel for the generated portico.carrier.v1 package (re-exported as `carrier` from the index).
export * from '../gen/portico/carrier/v1/tracking_pb';
