// Barrel for the generated portico.notification.v1 package (re-exported as `notification` from the index).
export * from '../gen/portico/notification/v1/outreach_pb';
export * from '../gen/portico/notification/v1/webhook_subscription_pb';
