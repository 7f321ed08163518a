export * from './domain-error';
export * from './error-filter';
export * from './shutdown';
export * from './database';
export * from './bootstrap';
export * from './nest-logger';
export * from './messaging';
export * from './auth';
