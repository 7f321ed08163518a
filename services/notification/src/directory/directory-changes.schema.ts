import { z } from 'zod';
import { dutyWindowSchema, id, residentSchema, staffMemberSchema } from './directory-import.schema';
import type { VersionedKind } from './directory.repository';

/**
 * The body of `POST /v1/directory/changes`: a batch of small typed roster changes from a property
 * system. Each change has the sender's idempotency key (`changeId`, unique per tenant: a repeat is a
 * no-op) and the time it happened at the source (`occurredAt`: per entity the latest wins, so
 * changes may arrive late, twice or out of order). The entity fields reuse the import's schemas.
 */

const changeBase = {
  changeId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"'),
  occurredAt: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset' })
    .pipe(z.coerce.date()),
};

export const CHANGE_TYPES = [
  'resident.upsert',
  'resident.remove',
  'staff.upsert',
  'staff.remove',
  'duty.set',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

const change = z.discriminatedUnion('type', [
  /** Moved in, or details changed (contact, consent, pre-registrations, unit). */
  z.object({ ...changeBase, type: z.literal('resident.upsert'), unitId: id, resident: residentSchema }),
  /** Moved out: no longer matched to parcels; personal data blanked after the retention. */
  z.object({ ...changeBase, type: z.literal('resident.remove'), residentId: id }),
  /** Joined, or details changed: the same fields as the import's staff entries. */
  z.object({ ...changeBase, type: z.literal('staff.upsert'), staff: staffMemberSchema }),
  /** Left: off every rota, no longer a manager of anything. */
  z.object({ ...changeBase, type: z.literal('staff.remove'), staffId: id }),
  /** On-duty flag, priority and time window of one staff member at one property. */
  z.object({
    ...changeBase,
    type: z.literal('duty.set'),
    staffId: id,
    propertyId: id,
    onDuty: z.boolean(),
    priority: z.number().int().min(0).max(1_000).default(100),
    /** Absent: the window stays; null: always. */
    window: dutyWindowSchema.nullable().optional(),
  }),
]);

export const directoryChangesSchema = z.object({
  tenantId: id,
  changes: z.array(change).min(1).max(500),
});

export type DirectoryChanges = z.output<typeof directoryChangesSchema>;
export type DirectoryChange = DirectoryChanges['changes'][number];

export function parseDirectoryChanges(body: unknown): DirectoryChanges {
  return directoryChangesSchema.parse(body);
}

export type ChangeOutcome =
  /** Written. */
  | 'applied'
  /** An equal or newer change of the same entity was applied before: nothing written. */
  | 'stale'
  /** This changeId was received before (in an earlier batch or earlier in this one): nothing written. */
  | 'duplicate'
  /** A removal of an entity the tenant does not have (or no longer has): nothing to do. */
  | 'not_found';

export interface DirectoryChangesResult {
  readonly tenantId: string;
  /** One per change, in the order sent. */
  readonly results: readonly { changeId: string; type: ChangeType; outcome: ChangeOutcome }[];
}

/** The entity a change writes, for last-writer-wins. */
export function entityOf(c: DirectoryChange): { kind: VersionedKind; id: string } {
  switch (c.type) {
    case 'resident.upsert':
      return { kind: 'resident', id: c.resident.id };
    case 'resident.remove':
      return { kind: 'resident', id: c.residentId };
    case 'staff.upsert':
      return { kind: 'staff', id: c.staff.id };
    case 'staff.remove':
      return { kind: 'staff', id: c.staffId };
    case 'duty.set':
      return { kind: 'duty', id: `${c.propertyId}/${c.staffId}` };
  }
}

export interface PlannedChange {
  readonly index: number;
  readonly change: DirectoryChange;
  /** A later copy of a changeId already earlier in this batch. */
  readonly repeatInBatch: boolean;
}

/**
 * The order a batch is applied in: by occurredAt, then as sent (a stable sort), so that within a
 * batch the older change of an entity is applied first and the newer one wins. The second and
 * later copies of a changeId are marked, not applied.
 */
export function planChanges(changes: readonly DirectoryChange[]): PlannedChange[] {
  const seen = new Set<string>();
  return changes
    .map((change, index) => ({ change, index }))
    .sort((a, b) => a.change.occurredAt.getTime() - b.change.occurredAt.getTime() || a.index - b.index)
    .map(({ change, index }) => {
      const repeatInBatch = seen.has(change.changeId);
      seen.add(change.changeId);
      return { index, change, repeatInBatch };
    });
}
