import type { Account } from '../accounts/account';

/** What a live update says: ids and the event type only, never names, scripts or links. */
export interface LiveUpdate {
  readonly topic: string;
  readonly type: string;
  readonly tenantId: string;
  readonly propertyId: string;
  readonly caseId: string;
  readonly taskId: string;
  /**
   * The parcel (`prc_` + hex, derived from carrier and tracking number, not personal) and the
   * message of a MessageSent / MessageDelivered / MessageFailed event; '' for every other event.
   * A message may belong to no task or case (closing notices, claims' messages), so the parcel
   * page matches on the parcel.
   */
  readonly parcelId: string;
  readonly messageId: string;
}

/**
 * Whether a session may hear of an update: operators (no tenant) hear everything; everybody else
 * only their own tenant's updates, and stewards and managers only those of their own properties.
 * An update without a tenant or property goes to operators only.
 */
export function mayReceive(account: Pick<Account, 'roles' | 'tenantId' | 'propertyIds'>, update: LiveUpdate): boolean {
  if (account.tenantId === null) return account.roles.includes('operator');
  if (!update.tenantId || update.tenantId !== account.tenantId) return false;
  return update.propertyId !== '' && account.propertyIds.includes(update.propertyId);
}
