// Barrel for the generated portico.common.v1 package (re-exported as `common` from the index).
export * from '../gen/portico/common/v1/date_pb';
export * from '../gen/portico/common/v1/digest_pb';
export * from '../gen/portico/common/v1/documents_pb';
export * from '../gen/portico/common/v1/headers_pb';
export * from '../gen/portico/common/v1/location_pb';
export * from '../gen/portico/common/v1/money_pb';
export * from '../gen/portico/common/v1/parcel_pb';
