#!/usr/bin/env node
// Writes the Grafana dashboards in deploy/grafana/dashboards/*.json from the definitions below.
// The JSON files are committed (Grafana provisioning and Helm read them as they are);
// `node deploy/grafana/build-dashboards.mjs --check` fails when they differ from this file, and
// deploy/tests/dashboards.test.mjs runs that check.
//
// Only metric names that a service exports, that prom-client exports by default, or that
// deploy/observability/planned-metrics.txt lists may be queried (deploy/tests/metrics.test.mjs).
// Panels on planned metrics say so in their description and show "No data" until the metric lands.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'dashboards');
const PROM = { type: 'prometheus', uid: 'prometheus' };
const TEMPO = { type: 'tempo', uid: 'tempo' };
const LOKI = { type: 'loki', uid: 'loki' };

const planned = new Map(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../observability/planned-metrics.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/))
    .map(([name, status, owner]) => [name, { status, owner }]),
);

/** A note for panels whose query uses a metric that no Portico service exports (yet). */
function pendingNote(exprs) {
  const names = new Set();
  for (const e of exprs)
    for (const m of e.matchAll(/[a-z_:][a-z0-9_:]*/g)) if (planned.has(m[0])) names.add(m[0]);
  const pending = [];
  const external = [];
  for (const n of names) {
    const { status, owner } = planned.get(n);
    if (status === 'external') external.push(`${n} (${owner})`);
    else
      pending.push(
        `${n} (${status === 'planned' ? owner.replace('issue-', 'issue ') : `being added to ${owner}`})`,
      );
  }
  let note = '';
  if (pending.length) note += ` Pending metric: ${pending.join(', ')}; no data until it is exported.`;
  if (external.length) note += ` From an exporter, not a Portico service: ${external.join(', ')}.`;
  if (note) note += ' See deploy/observability/planned-metrics.txt.';
  return note;
}

let nextId = 1;
function layout(panels) {
  // Grafana's 24-column grid: panels fill a line left to right; a row starts a new line.
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  return panels.map(({ w = 12, h = 8, ...panel }) => {
    if (panel.type === 'row') {
      y += lineHeight;
      const placed = { ...panel, gridPos: { h: 1, w: 24, x: 0, y } };
      y += 1;
      x = 0;
      lineHeight = 0;
      return placed;
    }
    if (x + w > 24) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const placed = { ...panel, gridPos: { h, w, x, y } };
    x += w;
    lineHeight = Math.max(lineHeight, h);
    return placed;
  });
}

function row(title) {
  return { type: 'row', title, id: nextId++, collapsed: false, panels: [] };
}

/** A time series panel. targets: [expr, legend][] */
function ts(title, targets, { unit = 'short', description = '', w, h, stack = false } = {}) {
  const exprs = targets.map(([e]) => e);
  return {
    type: 'timeseries',
    id: nextId++,
    title,
    description: (description + pendingNote(exprs)).trim(),
    datasource: PROM,
    w,
    h,
    fieldConfig: {
      defaults: {
        unit,
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: stack ? 30 : 10,
          stacking: { mode: stack ? 'normal' : 'none' },
        },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi' },
    },
    targets: targets.map(([expr, legendFormat], i) => ({
      datasource: PROM,
      expr,
      legendFormat,
      refId: String.fromCharCode(65 + i),
    })),
  };
}

function stat(title, expr, { unit = 'short', description = '', w = 6, h = 4, thresholds } = {}) {
  return {
    type: 'stat',
    id: nextId++,
    title,
    description: (description + pendingNote([expr])).trim(),
    datasource: PROM,
    w,
    h,
    fieldConfig: {
      defaults: {
        unit,
        thresholds: thresholds ?? { mode: 'absolute', steps: [{ color: 'green', value: null }] },
      },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'background',
      graphMode: 'area',
    },
    targets: [{ datasource: PROM, expr, refId: 'A', instant: true }],
  };
}

function text(title, content, { w = 24, h = 6 } = {}) {
  return { type: 'text', id: nextId++, title, w, h, options: { mode: 'markdown', content } };
}

const redAbove = (v) => ({
  mode: 'absolute',
  steps: [
    { color: 'green', value: null },
    { color: 'red', value: v },
  ],
});

function dashboard(uid, title, description, panels, { templating = [], tags = [] } = {}) {
  nextId = 1;
  const built = typeof panels === 'function' ? panels() : panels;
  return {
    uid,
    title,
    description,
    tags: ['portico', ...tags],
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    timezone: 'browser',
    graphTooltip: 1,
    links: [{ type: 'dashboards', tags: ['portico'], asDropdown: true, title: 'Portico' }],
    templating: { list: templating },
    annotations: { list: [] },
    panels: layout(built),
  };
}

const WEBHOOK = 'service="carrier-ingestion",route=~"/webhooks/.*"';

const serviceVar = {
  type: 'query',
  name: 'service',
  label: 'service',
  datasource: PROM,
  query: { query: 'label_values(process_start_time_seconds, service)', refId: 'service' },
  definition: 'label_values(process_start_time_seconds, service)',
  includeAll: true,
  multi: true,
  allValue: '.+',
  current: { text: 'All', value: '$__all' },
  refresh: 2,
};

const dashboards = {
  'portico-intake': dashboard(
    'portico-intake',
    'Portico / Intake',
    'Carrier webhooks into carrier-ingestion: rate, errors, latency, and the tracking events they produce.',
    () => [
      row('Webhooks'),
      ts(
        'Webhooks by provider and outcome',
        [
          [
            'sum by (carrier_account_provider, outcome) (rate(portico_webhook_requests_total[$__rate_interval]))',
            '{{carrier_account_provider}} {{outcome}}',
          ],
        ],
        {
          unit: 'reqps',
          stack: true,
          description:
            'accepted, duplicate, rejected_signature, rejected_body, unknown_account, unavailable, failed — per carrier account provider.',
        },
      ),
      ts(
        'Webhook responses by status',
        [
          [
            `sum by (status_code) (rate(http_server_request_duration_seconds_count{${WEBHOOK}}[$__rate_interval]))`,
            '{{status_code}}',
          ],
        ],
        { unit: 'reqps', stack: true },
      ),
      stat(
        '5xx ratio (5 min)',
        `sum(rate(http_server_request_duration_seconds_count{${WEBHOOK},status_code=~"5.."}[5m])) / sum(rate(http_server_request_duration_seconds_count{${WEBHOOK}}[5m]))`,
        {
          unit: 'percentunit',
          thresholds: redAbove(0.02),
          description: 'Alert PorticoWebhook5xxRate pages above 2 %.',
        },
      ),
      stat(
        'Rejected webhooks (1 h)',
        'sum(increase(portico_webhook_requests_total{outcome=~"rejected_.*|unknown_account"}[1h]))',
        {
          thresholds: redAbove(1),
          description:
            'Bad signatures, malformed bodies, unknown carrier accounts: answered 4xx, the carrier must fix its side.',
        },
      ),
      stat('Webhooks (1 h)', 'sum(increase(portico_webhook_requests_total[1h]))'),
      stat(
        'Tracking events published (1 h)',
        'sum(increase(portico_outbox_published_total{service="carrier-ingestion"}[1h]))',
      ),
      ts(
        'Intake latency p95 by provider',
        [
          [
            'histogram_quantile(0.95, sum by (le, carrier_account_provider) (rate(portico_webhook_intake_duration_seconds_bucket{outcome=~"accepted|duplicate"}[$__rate_interval])))',
            '{{carrier_account_provider}}',
          ],
        ],
        {
          unit: 's',
          description:
            'Receipt to answer: verification on the raw bytes, raw archive, dedupe and outbox commit in one transaction.',
        },
      ),
      ts(
        'Intake latency (p50 / p95 / p99, all providers)',
        [
          [
            'histogram_quantile(0.5, sum by (le) (rate(portico_webhook_intake_duration_seconds_bucket[$__rate_interval])))',
            'p50',
          ],
          [
            'histogram_quantile(0.95, sum by (le) (rate(portico_webhook_intake_duration_seconds_bucket[$__rate_interval])))',
            'p95',
          ],
          [
            'histogram_quantile(0.99, sum by (le) (rate(portico_webhook_intake_duration_seconds_bucket[$__rate_interval])))',
            'p99',
          ],
        ],
        { unit: 's' },
      ),
      ts(
        'Errors by provider (unavailable, failed)',
        [
          [
            'sum by (carrier_account_provider, outcome) (rate(portico_webhook_requests_total{outcome=~"unavailable|failed"}[$__rate_interval]))',
            '{{carrier_account_provider}} {{outcome}}',
          ],
        ],
        {
          unit: 'reqps',
          description:
            'Answered 5xx: the carrier retries. unavailable = a dependency (database) was down; failed = a bug.',
        },
      ),
      ts(
        'HTTP latency p95 by route and status',
        [
          [
            `histogram_quantile(0.95, sum by (le, route, status_code) (rate(http_server_request_duration_seconds_bucket{${WEBHOOK}}[$__rate_interval])))`,
            '{{route}} {{status_code}}',
          ],
        ],
        {
          unit: 's',
          description:
            'The same requests seen by the HTTP layer (includes body parsing before the intake timer starts).',
        },
      ),
      row('Events out'),
      ts(
        'Tracking events published',
        [
          [
            'sum by (topic) (rate(portico_outbox_published_total{service="carrier-ingestion"}[$__rate_interval]))',
            '{{topic}}',
          ],
        ],
        { unit: 'ops' },
      ),
      ts(
        'Webhook to Kafka (outbox publish latency p95)',
        [
          [
            'histogram_quantile(0.95, sum by (le) (rate(portico_outbox_publish_latency_seconds_bucket{service="carrier-ingestion"}[$__rate_interval])))',
            'p95',
          ],
        ],
        { unit: 's', description: 'Outbox insert to broker acknowledgement.' },
      ),
      ts(
        'Provider codes without a mapping (published as UNKNOWN)',
        [
          [
            'sum by (carrier_account_provider) (rate(portico_tracking_unmapped_status_total[$__rate_interval]))',
            '{{carrier_account_provider}}',
          ],
        ],
        {
          unit: 'ops',
          description:
            "Tracking updates whose provider status code is not in that provider's status map: they are published with status UNKNOWN (never dropped). Extend the map in services/carrier-ingestion/src/webhooks/adapters/<provider>/.",
        },
      ),
    ],
    { tags: ['intake'] },
  ),

  'portico-pipeline': dashboard(
    'portico-pipeline',
    'Portico / Pipeline',
    'Kafka consumers, retries, dead letters and transactional outboxes of every service, plus process health.',
    () => [
      row('Consumers'),
      ts(
        'Consumer lag by group and topic',
        [
          [
            'sum by (consumergroup, topic) (kafka_consumergroup_lag{consumergroup=~"clearance|id-vault|notification|claims"})',
            '{{consumergroup}} ← {{topic}}',
          ],
        ],
        {
          description:
            'Records not yet consumed. Bounded by partitions × instances: see deploy/k8s/README.md.',
        },
      ),
      ts(
        'Records finished by outcome',
        [
          [
            'sum by (group, outcome) (rate(portico_consumer_records_total{service=~"$service"}[$__rate_interval]))',
            '{{group}} {{outcome}}',
          ],
        ],
        { unit: 'ops', stack: true },
      ),
      ts(
        'Processing time p95',
        [
          [
            'histogram_quantile(0.95, sum by (le, group, topic) (rate(portico_consumer_processing_seconds_bucket{service=~"$service"}[$__rate_interval])))',
            '{{group}} ← {{topic}}',
          ],
        ],
        { unit: 's' },
      ),
      ts(
        'Retries and parked records',
        [
          [
            'sum by (group, topic) (rate(portico_consumer_records_total{service=~"$service",outcome=~"retry-scheduled|parked|requeued"}[$__rate_interval]))',
            '{{group}} ← {{topic}}',
          ],
        ],
        { unit: 'ops' },
      ),
      ts(
        'Dead letters written',
        [
          [
            'sum by (group, topic, outcome) (increase(portico_consumer_records_total{service=~"$service",outcome=~"dead-lettered|poison"}[$__rate_interval]))',
            '{{group}} ← {{topic}} {{outcome}}',
          ],
        ],
        {
          description:
            'Replay: node libs/messaging/dist/cli/replay-dlq.js --brokers … --dlq <topic>.dlq.<group> (docs/runbooks/dead-letters-written.md).',
        },
      ),
      ts('DLQ depth', [
        [
          'sum by (topic) (kafka_topic_partition_current_offset{topic=~".+\\\\.dlq\\\\..+"} - kafka_topic_partition_oldest_offset{topic=~".+\\\\.dlq\\\\..+"})',
          '{{topic}}',
        ],
      ]),
      ts(
        'Consumer infrastructure errors',
        [
          [
            'sum by (group) (rate(portico_consumer_infrastructure_errors_total{service=~"$service"}[$__rate_interval]))',
            '{{group}}',
          ],
        ],
        { unit: 'ops' },
      ),
      row('Outbox'),
      ts(
        'Outbox backlog',
        [['sum by (service) (portico_outbox_backlog{service=~"$service"})', '{{service}}']],
        { description: 'Rows committed but not yet on Kafka. Alert PorticoOutboxBacklog.' },
      ),
      ts(
        'Published events',
        [
          [
            'sum by (service, topic) (rate(portico_outbox_published_total{service=~"$service"}[$__rate_interval]))',
            '{{service}} → {{topic}}',
          ],
        ],
        { unit: 'ops' },
      ),
      ts(
        'Outbox publish latency p95',
        [
          [
            'histogram_quantile(0.95, sum by (le, service) (rate(portico_outbox_publish_latency_seconds_bucket{service=~"$service"}[$__rate_interval])))',
            '{{service}}',
          ],
        ],
        { unit: 's' },
      ),
      ts('Relay batch size p50 and rollbacks', [
        [
          'histogram_quantile(0.5, sum by (le, service) (rate(portico_outbox_batch_size_bucket{service=~"$service"}[$__rate_interval])))',
          '{{service}} batch p50',
        ],
        [
          'sum by (service) (rate(portico_outbox_publish_errors_total{service=~"$service"}[$__rate_interval]))',
          '{{service}} rollbacks/s',
        ],
      ]),
      row('Processes'),
      ts('Up', [['up{job="portico",service=~"$service"}', '{{service}} {{instance}}']], { w: 8 }),
      ts(
        'CPU',
        [
          [
            'sum by (service) (rate(process_cpu_seconds_total{service=~"$service"}[$__rate_interval]))',
            '{{service}}',
          ],
        ],
        { unit: 'percentunit', w: 8 },
      ),
      ts(
        'Resident memory',
        [['sum by (service) (process_resident_memory_bytes{service=~"$service"})', '{{service}}']],
        { unit: 'bytes', w: 8 },
      ),
      ts(
        'Event loop lag p99',
        [['max by (service) (nodejs_eventloop_lag_p99_seconds{service=~"$service"})', '{{service}}']],
        { unit: 's' },
      ),
      ts(
        'HTTP p95 by service',
        [
          [
            'histogram_quantile(0.95, sum by (le, service) (rate(http_server_request_duration_seconds_bucket{service=~"$service",route!~"/health/.*|/metrics"}[$__rate_interval])))',
            '{{service}}',
          ],
        ],
        { unit: 's' },
      ),
    ],
    { templating: [serviceVar], tags: ['pipeline'] },
  ),

  'portico-clearance': dashboard(
    'portico-clearance',
    'Portico / Clearance',
    'Customs clearance cases: opened, open, cleared, time to clear, deadlines at risk and missed.',
    () => [
      stat('Open cases', 'sum(portico_clearance_cases_open)'),
      stat('Deadlines at risk (< 24 h)', 'sum(portico_clearance_deadlines_at_risk)', {
        thresholds: redAbove(1),
      }),
      stat('Deadlines missed (24 h)', 'sum(increase(portico_clearance_deadlines_missed_total[24h]))', {
        thresholds: redAbove(1),
      }),
      stat(
        'SLA breach ratio (6 h)',
        'sum(increase(portico_clearance_deadlines_missed_total[6h])) / clamp_min(sum(increase(portico_clearance_cases_closed_total[6h])), 1)',
        {
          unit: 'percentunit',
          thresholds: redAbove(0.05),
          description: 'Alert PorticoClearanceSlaBreachRate pages above 5 %.',
        },
      ),
      ts(
        'Cases opened by hold reason',
        [
          [
            'sum by (hold_reason) (rate(portico_clearance_cases_opened_total[$__rate_interval]))',
            '{{hold_reason}}',
          ],
        ],
        { unit: 'ops', stack: true },
      ),
      ts(
        'Cases closed by outcome',
        [['sum by (outcome) (rate(portico_clearance_cases_closed_total[$__rate_interval]))', '{{outcome}}']],
        { unit: 'ops', stack: true },
      ),
      ts(
        'Time to clear (p50 / p90)',
        [
          [
            'histogram_quantile(0.5, sum by (le) (rate(portico_clearance_time_to_clear_seconds_bucket[1d])))',
            'p50',
          ],
          [
            'histogram_quantile(0.9, sum by (le) (rate(portico_clearance_time_to_clear_seconds_bucket[1d])))',
            'p90',
          ],
        ],
        { unit: 's', description: 'Target from the design: 9.7 → 2.1 days.' },
      ),
      ts(
        'Open cases by hold reason',
        [['sum by (hold_reason) (portico_clearance_cases_open)', '{{hold_reason}}']],
        { stack: true },
      ),
      ts(
        'Clearance events published',
        [
          [
            'sum by (topic) (rate(portico_outbox_published_total{service="clearance"}[$__rate_interval]))',
            '{{topic}}',
          ],
        ],
        { unit: 'ops' },
      ),
      ts(
        'First-pass acceptance and secure-channel share',
        [
          [
            'sum(increase(portico_clearance_first_rounds_total{outcome="accepted"}[1d])) / clamp_min(sum(increase(portico_clearance_first_rounds_total[1d])), 1)',
            'first pass accepted',
          ],
          [
            'sum(increase(portico_clearance_documents_received_total{channel="secure_upload"}[1d])) / clamp_min(sum(increase(portico_clearance_documents_received_total[1d])), 1)',
            'secure channel',
          ],
        ],
        { unit: 'percentunit', description: 'Per property and month: GET /v1/reviews/monthly on clearance.' },
      ),
      ts(
        'Steward minutes per closed case (p50 / p90, estimated)',
        [
          [
            'histogram_quantile(0.5, sum by (le) (rate(portico_clearance_steward_minutes_bucket[1d])))',
            'p50',
          ],
          [
            'histogram_quantile(0.9, sum by (le) (rate(portico_clearance_steward_minutes_bucket[1d])))',
            'p90',
          ],
        ],
        {
          unit: 'm',
          description:
            'Sittings of steward actions (see services/clearance/src/review/review-figures.ts). Goal: under 15.',
        },
      ),
      ts(
        'Timers: reminders, steward SLA breaches, escalations',
        [
          ['sum(rate(portico_clearance_reminders_due_total[$__rate_interval]))', 'resident reminders'],
          [
            'sum(rate(portico_clearance_steward_ack_sla_breaches_total[$__rate_interval]))',
            'steward SLA breaches',
          ],
          ['sum(rate(portico_clearance_escalations_total[$__rate_interval]))', 'escalations'],
        ],
        { unit: 'ops' },
      ),
      ts(
        'Timer lateness (p99) and pending timers',
        [
          [
            'histogram_quantile(0.99, sum by (le) (rate(portico_timer_lateness_seconds_bucket{service="clearance"}[$__rate_interval])))',
            'lateness p99 (s)',
          ],
          ['sum(portico_timers_pending{service="clearance"})', 'pending'],
        ],
        {},
      ),
      ts(
        'Tracking events consumed by clearance',
        [
          [
            'sum by (outcome) (rate(portico_consumer_records_total{group="clearance"}[$__rate_interval]))',
            '{{outcome}}',
          ],
        ],
        { unit: 'ops', stack: true },
      ),
    ],
    { tags: ['clearance'] },
  ),

  'portico-outreach': dashboard(
    'portico-outreach',
    'Portico / Outreach',
    'Steward and resident outreach: tasks, parcel-to-resident resolution, acknowledgement times, escalations, channel failures.',
    () => [
      ts(
        'Outreach tasks created by kind',
        [['sum by (kind) (rate(portico_outreach_tasks_created_total[$__rate_interval]))', '{{kind}}']],
        { unit: 'ops', stack: true },
      ),
      ts(
        'Parcel resolution by method',
        [['sum by (method) (rate(portico_parcel_resolution_total[$__rate_interval]))', '{{method}}']],
        {
          unit: 'ops',
          stack: true,
          description: 'How a parcel was matched to a resident (digest match, manual, unresolved…).',
        },
      ),
      ts(
        'Acknowledgement time (p50 / p90)',
        [
          [
            'histogram_quantile(0.5, sum by (le, kind) (rate(portico_outreach_acknowledgement_seconds_bucket[$__rate_interval])))',
            'p50 {{kind}}',
          ],
          [
            'histogram_quantile(0.9, sum by (le, kind) (rate(portico_outreach_acknowledgement_seconds_bucket[$__rate_interval])))',
            'p90 {{kind}}',
          ],
        ],
        { unit: 's' },
      ),
      ts(
        'Escalations by level',
        [['sum by (level) (increase(portico_outreach_escalations_total[$__rate_interval]))', '{{level}}']],
        { stack: true },
      ),
      ts(
        'Steward actions',
        [['sum by (action) (increase(portico_outreach_actions_total[$__rate_interval]))', '{{action}}']],
        {
          stack: true,
          description: 'Acknowledge, contacted, handover, resend, request re-upload (and escalations by the timers).',
        },
      ),
      ts(
        'Follow-up messages by kind and outcome',
        [
          [
            'sum by (kind, outcome) (increase(portico_followup_messages_total[$__rate_interval]))',
            '{{kind}} {{outcome}}',
          ],
        ],
        {
          stack: true,
          description:
            'Resends, re-upload requests, deadline reminders, hold heads-ups, closing notices and escalation notices: queued, duplicate (event seen before), not_sent (policy, consent or no channel), refused (the steward got an error).',
        },
      ),
      ts(
        'Messages by channel and outcome',
        [
          [
            'sum by (channel, outcome) (rate(portico_messages_total[$__rate_interval]))',
            '{{channel}} {{outcome}}',
          ],
        ],
        { unit: 'ops', stack: true },
      ),
      ts(
        'Channel failure ratio',
        [
          [
            'sum by (channel) (rate(portico_messages_total{outcome="failed"}[$__rate_interval])) / sum by (channel) (rate(portico_messages_total{outcome=~"sent|failed"}[$__rate_interval]))',
            '{{channel}}',
          ],
        ],
        { unit: 'percentunit', description: 'Alert PorticoOutreachDeliveryFailures pages above 5 %.' },
      ),
    ],
    { tags: ['outreach'] },
  ),

  'portico-vault': dashboard(
    'portico-vault',
    'Portico / ID vault',
    'ID-document uploads, rejection reasons, steward reviews, relays, purges and audit-chain verification. Counts only: no personal data in any metric.',
    () => [
      stat('Uploads (24 h)', 'sum(increase(portico_vault_uploads_total[24h]))'),
      stat(
        'First-pass acceptance (24 h)',
        'sum(increase(portico_vault_uploads_total{outcome="accepted"}[24h])) / clamp_min(sum(increase(portico_vault_uploads_total[24h])), 1)',
        { unit: 'percentunit' },
      ),
      stat('Purged (24 h)', 'sum(increase(portico_vault_purges_total[24h]))'),
      stat(
        'Audit chain last verified',
        'time() - max(portico_vault_audit_chain_last_verified_timestamp_seconds)',
        {
          unit: 's',
          thresholds: redAbove(7200),
          description:
            'Seconds since the last successful verification. Alert PorticoAuditChainVerificationFailed.',
        },
      ),
      ts(
        'Uploads by outcome',
        [['sum by (outcome) (rate(portico_vault_uploads_total[$__rate_interval]))', '{{outcome}}']],
        { unit: 'ops', stack: true },
      ),
      ts(
        'Rejections by reason',
        [
          [
            'sum by (reason) (increase(portico_vault_upload_rejections_total[$__rate_interval]))',
            '{{reason}}',
          ],
        ],
        { stack: true },
      ),
      ts(
        'Steward reviews by decision',
        [['sum by (decision) (increase(portico_vault_reviews_total[$__rate_interval]))', '{{decision}}']],
        { stack: true },
      ),
      ts('Relay grants and purges', [
        ['sum(increase(portico_vault_relay_grants_total[$__rate_interval]))', 'relay grants'],
        ['sum(increase(portico_vault_purges_total[$__rate_interval]))', 'purges'],
      ]),
      ts('Audit chain verifications', [
        [
          'sum by (outcome) (increase(portico_vault_audit_chain_verifications_total[$__rate_interval]))',
          '{{outcome}}',
        ],
      ]),
      ts(
        'Vault HTTP p95 by route',
        [
          [
            'histogram_quantile(0.95, sum by (le, route) (rate(http_server_request_duration_seconds_bucket{service="id-vault",route!~"/health/.*|/metrics"}[$__rate_interval])))',
            '{{route}}',
          ],
        ],
        { unit: 's' },
      ),
    ],
    { tags: ['vault'] },
  ),

  'portico-claims': dashboard(
    'portico-claims',
    'Portico / Claims',
    'Lost and damaged parcel claims: opened, open by stage, filed with carriers, resolved.',
    () => [
      stat('Open claims', 'sum(portico_claims_open)', { w: 8 }),
      stat('Opened (7 d)', 'sum(increase(portico_claims_opened_total[7d]))', { w: 8 }),
      stat('Closed (7 d)', 'sum(increase(portico_claims_closed_total[7d]))', { w: 8 }),
      ts(
        'Claims opened by reason',
        [['sum by (reason) (increase(portico_claims_opened_total[$__rate_interval]))', '{{reason}}']],
        { stack: true },
      ),
      ts('Open claims by state', [['sum by (state) (portico_claims_open)', '{{state}}']], { stack: true }),
      ts(
        'Closed claims by reason',
        [
          [
            'sum by (reason) (increase(portico_claims_closed_total[$__rate_interval]))',
            '{{reason}}',
          ],
        ],
        { stack: true },
      ),
      ts(
        'Carrier filings by outcome',
        [
          [
            'sum by (outcome) (increase(portico_claims_carrier_requests_total{kind="filing"}[$__rate_interval]))',
            '{{outcome}}',
          ],
        ],
        { stack: true },
      ),
      ts(
        'Loss rate by carrier and lane (parcels first seen in the last 30 d)',
        [['max by (carrier, lane) (portico_claims_scorecard_loss_ratio)', '{{carrier}} {{lane}}']],
        { unit: 'percentunit' },
      ),
      ts(
        'Damage rate by carrier and lane (last 30 d)',
        [['max by (carrier, lane) (portico_claims_scorecard_damage_ratio)', '{{carrier}} {{lane}}']],
        { unit: 'percentunit' },
      ),
      ts(
        'Carrier approval rate by carrier and lane (last 30 d)',
        [
          [
            'max by (carrier, lane) (portico_claims_scorecard_approved_ratio)',
            'approved {{carrier}} {{lane}}',
          ],
          [
            'max by (carrier, lane) (portico_claims_scorecard_partially_approved_ratio)',
            'partly {{carrier}} {{lane}}',
          ],
          [
            'max by (carrier, lane) (portico_claims_scorecard_rejected_ratio)',
            'rejected {{carrier}} {{lane}}',
          ],
        ],
        { unit: 'percentunit' },
      ),
      ts(
        'Time to resolve by carrier and lane, median and p90 (last 30 d)',
        [
          [
            'max by (carrier, lane) (portico_claims_scorecard_time_to_resolve_median_seconds)',
            'median {{carrier}} {{lane}}',
          ],
          [
            'max by (carrier, lane) (portico_claims_scorecard_time_to_resolve_p90_seconds)',
            'p90 {{carrier}} {{lane}}',
          ],
        ],
        { unit: 's' },
      ),
      ts(
        'Parcels tracked by carrier and lane (scorecard denominator, last 30 d)',
        [['max by (carrier, lane) (portico_claims_scorecard_parcels_tracked)', '{{carrier}} {{lane}}']],
        { stack: true },
      ),
      stat('Scorecards age', 'time() - max(portico_claims_scorecard_refreshed_timestamp_seconds)', {
        unit: 's',
        w: 8,
        description: 'Seconds since the scorecard gauges were recomputed (SCORECARD_REFRESH_MS).',
      }),
      ts(
        'Tracking events consumed by claims',
        [
          [
            'sum by (outcome) (rate(portico_consumer_records_total{group="claims"}[$__rate_interval]))',
            '{{outcome}}',
          ],
        ],
        { unit: 'ops', stack: true },
      ),
      ts(
        'Evidence uploads by outcome',
        [
          [
            'sum by (outcome) (increase(portico_claims_evidence_uploads_total[$__rate_interval]))',
            '{{outcome}}',
          ],
        ],
        { stack: true, description: 'accepted, or the refusal code (too_large, too_many_pixels, corrupt, …)' },
      ),
      ts('Evidence bundle PDFs rendered', [
        ['sum by (outcome) (increase(portico_claims_evidence_bundle_renders_total[$__rate_interval]))', '{{outcome}}'],
      ]),
      ts(
        'Evidence check and PDF render time (p95)',
        [
          [
            'histogram_quantile(0.95, sum by (le, kind) (rate(portico_claims_evidence_check_seconds_bucket[$__rate_interval])))',
            'check {{kind}}',
          ],
          [
            'histogram_quantile(0.95, sum by (le) (rate(portico_claims_evidence_bundle_render_seconds_bucket[$__rate_interval])))',
            'render',
          ],
        ],
        { unit: 's' },
      ),
    ],
    { tags: ['claims'] },
  ),

  'portico-outbound-webhooks': dashboard(
    'portico-outbound-webhooks',
    'Portico / Outbound webhooks',
    'Signed webhooks to property systems: attempts, failures, latency, retry backlog, open circuit breakers.',
    () => [
      stat(
        'Failure ratio (15 min)',
        'sum(rate(portico_webhook_deliveries_total{outcome=~"failed|gave_up"}[15m])) / sum(rate(portico_webhook_deliveries_total[15m]))',
        {
          unit: 'percentunit',
          thresholds: redAbove(0.1),
          w: 8,
          description: 'Alert PorticoWebhookDeliveryFailures above 10 %.',
        },
      ),
      stat('Pending deliveries', 'sum(portico_webhook_pending_deliveries)', { w: 8 }),
      stat('Open circuit breakers', 'sum(portico_webhook_circuits{state="open"})', {
        w: 8,
        thresholds: redAbove(1),
      }),
      ts(
        'Attempts by outcome',
        [['sum by (outcome) (rate(portico_webhook_deliveries_total[$__rate_interval]))', '{{outcome}}']],
        { unit: 'ops', stack: true },
      ),
      ts(
        'Subscriber response time (p50 / p95)',
        [
          [
            'histogram_quantile(0.5, sum by (le) (rate(portico_webhook_delivery_duration_seconds_bucket[$__rate_interval])))',
            'p50',
          ],
          [
            'histogram_quantile(0.95, sum by (le) (rate(portico_webhook_delivery_duration_seconds_bucket[$__rate_interval])))',
            'p95',
          ],
        ],
        { unit: 's' },
      ),
      ts('Pending deliveries', [['sum(portico_webhook_pending_deliveries)', 'pending']]),
      ts('Subscriptions by circuit state', [['sum by (state) (portico_webhook_circuits)', '{{state}}']]),
    ],
    { tags: ['webhooks'] },
  ),

  'portico-parcel-trace': dashboard(
    'portico-parcel-trace',
    'Portico / Find a parcel',
    "One parcel's journey as traces and logs, by parcel id (computed from carrier code + tracking number).",
    () => [
      text(
        'How to find a parcel',
        [
          'Every Portico topic is keyed by the **parcel id**, and spans carry it: `portico.parcel_id` on Portico spans and `messaging.kafka.message.key` on Kafka producer spans. It is not personal data: it is one-way.',
          '',
          '**parcel id** = `prc_` + the first 16 bytes (32 hex characters) of SHA-256(`<carrier code>:<TRACKING NUMBER>`), both normalised: carrier code lower-case; tracking number NFKC, upper-case, without spaces or dashes (`libs/contracts/src/parcel-id.ts`).',
          '',
          'From a tracking number, in a checkout of the repository:',
          '```',
          "node -e \"console.log(require('./libs/contracts/dist/parcel-id.js').parcelId(process.argv[1], process.argv[2]))\" sf-express 'SF 1234 5678 901'",
          '```',
          'or in any shell: `printf %s "sf-express:SF12345678901" | sha256sum | cut -c1-32` and put `prc_` in front (only when the values are already normalised).',
          '',
          'Paste the id into **parcel_id** above. The table lists the traces (webhook → clearance → vault link → outreach → outbound webhook); click a trace id to open it in Tempo, then "Logs for this span" to jump to Loki.',
        ].join('\n'),
        { h: 9 },
      ),
      {
        type: 'table',
        id: nextId++,
        title: 'Traces of this parcel',
        datasource: TEMPO,
        w: 24,
        h: 10,
        targets: [
          {
            datasource: TEMPO,
            refId: 'A',
            queryType: 'traceql',
            tableType: 'traces',
            limit: 50,
            query:
              '{ span.portico.parcel_id = "$parcel_id" || span.messaging.kafka.message.key = "$parcel_id" }',
          },
        ],
      },
      {
        type: 'table',
        id: nextId++,
        title: 'Spans of this parcel',
        datasource: TEMPO,
        w: 24,
        h: 10,
        targets: [
          {
            datasource: TEMPO,
            refId: 'A',
            queryType: 'traceql',
            tableType: 'spans',
            limit: 200,
            query:
              '{ span.portico.parcel_id = "$parcel_id" || span.messaging.kafka.message.key = "$parcel_id" } | select(resource.service.name, span.portico.event_type, span.portico.outcome)',
          },
        ],
      },
      {
        type: 'logs',
        id: nextId++,
        title: 'Log lines mentioning this parcel',
        datasource: LOKI,
        w: 24,
        h: 12,
        options: { showTime: true, wrapLogMessage: true, sortOrder: 'Ascending', enableLogDetails: true },
        targets: [{ datasource: LOKI, refId: 'A', expr: '{service=~".+"} |= "$parcel_id"' }],
      },
    ],
    {
      tags: ['traces'],
      templating: [
        {
          type: 'textbox',
          name: 'parcel_id',
          label: 'parcel id (prc_…)',
          query: '',
          current: { text: '', value: '' },
        },
      ],
    },
  ),
};

const check = process.argv.includes('--check');
let stale = [];
for (const [name, json] of Object.entries(dashboards)) {
  const file = join(OUT, `${name}.json`);
  const content = JSON.stringify(json, null, 2) + '\n';
  if (check) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {}
    if (current !== content) stale.push(file);
  } else {
    writeFileSync(file, content);
  }
}
if (check) {
  const extra = readdirSync(OUT).filter(
    (f) => f.endsWith('.json') && !(f.replace(/\.json$/, '') in dashboards),
  );
  if (stale.length || extra.length) {
    console.error(
      `dashboards out of date: ${[...stale, ...extra].join(', ')}; run node deploy/grafana/build-dashboards.mjs`,
    );
    process.exit(1);
  }
  console.log(`${Object.keys(dashboards).length} dashboards up to date`);
} else {
  console.log(`wrote ${Object.keys(dashboards).length} dashboards to ${OUT}`);
}
