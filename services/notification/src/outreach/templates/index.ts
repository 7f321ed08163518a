export * from './template';
export * from './documents-requested';
export * from './unmatched-parcel';
