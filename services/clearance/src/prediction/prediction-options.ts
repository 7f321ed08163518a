/** What the prediction slice takes from the service configuration (config.ts). */
export interface PredictionOptions {
  /** Threshold of tenants without their own row in clearance_prediction_settings. */
  readonly defaultThreshold: number;
}

export const PREDICTION_OPTIONS = 'clearance:prediction-options';
