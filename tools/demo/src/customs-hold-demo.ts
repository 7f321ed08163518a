// The demo `npm run up` ends with: one parcel walks through a customs hold on the running platform.
// An operator registers a carrier and imports a property directory, the carrier posts a signed
// "held by customs, ID documents required" webhook, clearance opens a case and notification gives
// the steward on duty a task; the resident gets a one-time upload link from id-vault, consents and
// uploads (synthetic) ID photos, which are checked and sealed; the steward approves in one click and
// id-vault relays a watermarked copy to the carrier by itself. The carrier's receiver here is a
// SIMULATED one (it verifies the signature and downloads through the grant like a real one would),
// and so is the property system subscribed to the tenant's events (it verifies every webhook's
// Standard Webhooks signature with the official package).
// Everything goes through the public HTTP APIs, exactly as in test/e2e. All data is synthetic.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cardPhoto } from '@portico/testing/images';
import {
  customsHoldScenario,
  PorticoPlatformClient,
  SimulatedCarrierRelay,
  SimulatedPropertySystem,
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
  idVault: env.DEMO_ID_VAULT_URL ?? 'http://127.0.0.1:3003',
};

/** The simulated carrier's endpoint and secret, from id-vault's VAULT_RELAY_DESTINATIONS (.local/secrets.env). */
function simulatedCarrier(): { port: number; secret: string } {
  const destinations = JSON.parse(required('VAULT_RELAY_DESTINATIONS')) as Record<
    string,
    { url: string; secret: string }
  >;
  const d = destinations['default'];
  if (!d) throw new Error('VAULT_RELAY_DESTINATIONS has no "default" destination for the simulated carrier');
  return { port: Number(new URL(d.url).port), secret: d.secret };
}

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
  const client = new PorticoPlatformClient(urls, {
    devTokenKey: required('AUTH_DEV_TOKEN_KEY'),
    notificationServiceToken: required('INTERNAL_SERVICE_TOKEN_NOTIFICATION'),
  });
  const carrier = simulatedCarrier();
  const relay = new SimulatedCarrierRelay(carrier.secret);
  await relay.start(carrier.port);
  const propertySystem = new SimulatedPropertySystem();
  const propertySystemUrl = await propertySystem.start(Number(env.DEMO_PROPERTY_SYSTEM_PORT ?? 3098));
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
  const subscription = await client.createWebhookSubscription({
    tenantId: scenario.tenantId,
    url: propertySystemUrl,
    eventTypes: ['clearance.case.*', 'outreach.*'],
  });
  propertySystem.useSecret(subscription.secret);
  step(
    `operator subscribed the tenant's (simulated) property system to its events: ${subscription.subscriptionId}`,
  );

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

  // The demo's property leaves contacting residents to its steward ('steward_only') and the local
  // platform has no mail or SMS relay, so the demo plays the steward's part: it asks id-vault for the
  // link the way notification does (test/e2e has notification e-mail it to a 'direct' property's resident).
  const link = await eventually('an upload link from id-vault', () =>
    client.requestUploadLink(caseView.id, `${task.id}:1`).catch((e: Error) => {
      // the vault may not have read CaseOpened yet; notification retries the same way
      if (/case_not_known_yet/.test(e.message)) return undefined;
      throw e;
    }),
  );
  step(`id-vault issued a one-time upload link ${link.requestId}, valid until ${link.expiresAt}`);
  await client.giveConsent(link);
  const uploadAt = performance.now();
  const { documentId } = await client.uploadIdCard(link, await cardPhoto(), await cardPhoto({ angle: 4 }));
  step(
    `resident consented and uploaded ID card photos (synthetic): checked, sealed as ${documentId}`,
    uploadAt,
  );

  const steward = await client.personToken({
    subject: scenario.stewardId,
    roles: ['steward'],
    tenantId: scenario.tenantId,
    propertyIds: [scenario.propertyId],
  });
  // The steward may review once the vault knows the parcel's property (notification's RecipientResolved).
  await eventually("the property's steward seeing the documents", () =>
    client.vaultDocumentsOf(caseView.id, steward).catch(() => undefined),
  );
  const approvedAt = performance.now();
  await client.approveDocument(documentId, steward);
  step('steward approved the document in one click', approvedAt);
  const notice = await eventually('the relay to the carrier', async () => relay.notices[0]);
  const copy = await relay.download(notice, 'front');
  if (copy.status !== 200) throw new Error(`the carrier's grant download answered ${copy.status}`);
  const outDir = join(process.cwd(), '.local', 'demo');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'relayed-front.jpg'), copy.bytes);
  step(
    `id-vault relayed a watermarked copy to the simulated carrier (grant ${notice.grantId}, ${notice.maxUses} downloads, until ${notice.expiresAt}); saved .local/demo/relayed-front.jpg`,
    approvedAt,
  );
  const submitted = await eventually<CaseView>('the case submitted to the carrier', async () =>
    (await client.casesOf(parcel)).find((c) => c.state === 'submitted_to_carrier'),
  );
  step(`clearance moved case ${submitted.id} to ${submitted.state}`, approvedAt);
  await relay.stop();
  // The property system hears about the case as it moves (signed, in order per parcel).
  await eventually('the property system told of the submission', async () =>
    propertySystem.eventsOf(parcel).some((d) => d.payload.type === 'clearance.case.submitted_to_carrier')
      ? true
      : undefined,
  );
  const heard = propertySystem.eventsOf(parcel).map((d) => d.payload.type);
  step(`the property system received ${heard.length} signed webhooks (verified): ${heard.join(', ')}`);
  await propertySystem.stop();
  // Ids only (no personal data): `npm run up` binds the console's demo steward account to them.
  writeFileSync(
    join(outDir, 'scenario.json'),
    JSON.stringify({
      tenantId: scenario.tenantId,
      propertyId: scenario.propertyId,
      stewardId: scenario.stewardId,
      parcelId: parcel,
      trackingNumber: scenario.trackingNumber,
    }),
  );

  console.log(`\n  Follow it: GET ${urls.clearance}/v1/cases?parcelId=${parcel}`);
  console.log(`             GET ${urls.notification}/v1/outreach/tasks?parcelId=${parcel}`);
  console.log(`             GET ${urls.idVault}/v1/cases/<case id>/documents (steward token)`);
  console.log('  (operator token: a dev token signed with AUTH_DEV_TOKEN_KEY from .local/secrets.env)');
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error('service logs: .local/run/*.log');
  process.exit(1);
});
