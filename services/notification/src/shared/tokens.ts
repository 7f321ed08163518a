/** The current time. Injected so that SLA and deadline arithmetic is testable without sleeping. */
export type Clock = () => Date;
/** Makes a new prefixed id (`ot_…`, `fdq_…`). Injected so tests can pin ids. */
export type IdGenerator = (prefix: string) => string;

export const CLOCK = 'notification:clock';
export const ID_GENERATOR = 'notification:id-generator';
/** The validated NotificationConfig, for services that need a setting. */
export const NOTIFICATION_CONFIG = 'notification:config';
