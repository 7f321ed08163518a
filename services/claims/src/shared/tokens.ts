/** The current time. Injected so that detection rules and service levels are testable without sleeping. */
export type Clock = () => Date;
/** Makes a new prefixed id (`clm_…`). Injected so tests can pin ids. */
export type IdGenerator = (prefix: string) => string;

export const CLOCK = 'claims:clock';
export const ID_GENERATOR = 'claims:id-generator';
/** The validated ClaimsConfig. */
export const CLAIMS_CONFIG = 'claims:config';
/** The UploadGate (@portico/images) every evidence upload passes, staff's and residents' alike. */
export const EVIDENCE_UPLOAD_GATE = 'claims:evidence-upload-gate';
