// The demo `npm run up` ends with: one parcel walks through a customs hold on the running platform.
// An operator registers a carrier and imports a property directory, the carrier posts a signed
// "held by customs, ID documents required" webhook, clearance opens a case and notification gives
// the steward on duty a task — nobody relays anything by hand. Everything goes through the public
// HTTP APIs, exactly as in test/e2e. The data is synthetic (made-up names and numbers).
import {
  customsHoldScenario,
  PorticoPlatformClient,
  type CaseView,
  type TaskView,
} from '@portico/testing/platform';

const env = process.env;

function required(name: string): string {
  const value = env[name];
  if (!value) {
    console.error(`${name} is not set: run the demo through "npm run up" (it loads .local/secrets.env)`);
    process.exit(78);
  }
  return value;
}

const urls = {
  carrierIngestion: env.DEMO_CARRIER_INGESTION_URL ?? 'http://127.0.0.1:3001',
  clearance: env.DEMO_CLEARANCE_URL ?? 'http://127.0.0.1:3002',
  notification: env.DEMO_NOTIFICATION_URL ?? 'http://127.0.0.1:3004',
};

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function step(text: string, startedAt?: number): void {
  const took = startedAt === undefined ? '' : ` (${Math.round(performance.now() - startedAt)} ms)`;
  console.log(`  \u2714 ${text}${took}`);
}

async function main(): Promise<void> {
  const client = new PorticoPlatformClient(urls, { devTokenKey: required('AUTH_DEV_TOKEN_KEY') });
  const scenario = customsHoldScenario();
  const parcel = PorticoPlatformClient.parcelIdOf(scenario.carrierCode, scenario.trackingNumber);
  console.log(
    `\nDemo: parcel ${scenario.carrierCode} ${scenario.trackingNumber} (${parcel}) held by customs`,
  );

  const account = await client.createCarrierAccount({
    tenantId: scenario.tenantId,
    carrierCode: scenario.carrierCode,
    displayName: 'Demo Express (simulated carrier)',
  });
  step(`operator registered carrier account ${account.id} (webhook secret issued once)`);

  await client.importDirectory(scenario.directory);
  step(`operator imported directory of tenant ${scenario.tenantId}: 1 property, 1 unit, 1 resident, 2 staff`);

  const sentAt = performance.now();
  const intake = await client.postTrackingWebhook(account, [scenario.customsHold()]);
  if (intake.status !== 202)
    throw new Error(`webhook answered ${intake.status}: ${JSON.stringify(intake.body)}`);
  step(`carrier posted a signed customs-hold webhook: HTTP ${intake.status}`, sentAt);

  const caseView = await eventually<CaseView>('the clearance case', async () =>
    (await client.casesOf(parcel)).find((c) => c.state === 'awaiting_documents'),
  );
  step(`clearance opened case ${caseView.id}: ${caseView.state}, deadline ${caseView.deadline}`, sentAt);

  const task = await eventually<TaskView>('the steward task', async () => (await client.tasksOf(parcel))[0]);
  step(`notification gave steward ${task.stewardId} task ${task.id} (${task.state})`, sentAt);

  console.log(`\n  Follow it: GET ${urls.clearance}/v1/cases?parcelId=${parcel}`);
  console.log(`             GET ${urls.notification}/v1/outreach/tasks?parcelId=${parcel}`);
  console.log('  (operator token: a dev token signed with AUTH_DEV_TOKEN_KEY from .local/secrets.env)');
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error('service logs: .local/run/*.log');
  process.exit(1);
});
