/** The current time. Injected so that receipts, dedupe windows and audit rows are testable without sleeping. */
export type Clock = () => Date;

export const CLOCK = 'carrier-ingestion:clock';
/** The validated CarrierIngestionConfig, for providers that need a setting. */
export const CARRIER_INGESTION_CONFIG = 'carrier-ingestion:config';
