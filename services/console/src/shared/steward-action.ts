import type { Logger } from '@nestjs/common';
import type { ConsoleMetrics } from './console-metrics';

/**
 * Runs one steward action against an upstream service and records it the same way for every
 * action: the counter by action and outcome, and a log line with ids only (the caller passes ids,
 * never names, free text or reasons typed by people).
 */
export async function recordStewardAction<T>(
  deps: { readonly metrics: ConsoleMetrics; readonly logger: Logger },
  action: string,
  ids: Readonly<Record<string, string>>,
  run: () => Promise<T>,
): Promise<T> {
  try {
    const answer = await run();
    deps.metrics.stewardActions.inc({ action, outcome: 'ok' });
    deps.logger.log({ action, ...ids }, 'steward action done');
    return answer;
  } catch (error) {
    deps.metrics.stewardActions.inc({ action, outcome: 'refused' });
    deps.logger.warn({ action, ...ids, code: (error as { code?: unknown }).code }, 'steward action refused');
    throw error;
  }
}
