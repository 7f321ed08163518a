// `@portico/testing/platform`: drives a running platform over its public HTTP API (the cross-service
// tests and the demo). A separate entry point so the demo does not load Testcontainers.
export * from './platform/native-webhook';
export * from './platform/customs-hold-scenario';
export * from './platform/platform-client';
export * from './platform/service-process';
export * from './platform/provider-webhooks';
export * from './platform/simulated-carrier-relay';
export * from './platform/signed-webhook-receiver';
export * from './platform/simulated-property-system';
