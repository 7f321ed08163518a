/** The current time. Injected so that deadlines and out-of-order checks are testable without sleeping. */
export type Clock = () => Date;
/** Makes a new prefixed id (`cc_…`). Injected so tests can pin ids. */
export type IdGenerator = (prefix: string) => string;

export const CLOCK = 'clearance:clock';
export const ID_GENERATOR = 'clearance:id-generator';
