import type { Account } from '../accounts/account';

/**
 * Whether the signed-in person may see a record of a property. The upstream services enforce their
 * own rules, but they differ where the property is not known yet (clearance keeps such a case
 * tenant-wide), so the console applies the one rule stewards are promised everywhere: their own
 * properties only.
 * Operators (no tenant) see all; a record whose property is not known yet is for managers only, as
 * id-vault decides for documents ("no property" must not mean "every property").
 */
export function maySee(
  account: Pick<Account, 'roles' | 'tenantId' | 'propertyIds'>,
  record: { readonly tenantId: string; readonly propertyId: string | null },
): boolean {
  if (account.roles.includes('operator')) return true;
  if (account.tenantId !== record.tenantId) return false;
  if (record.propertyId === null) return account.roles.includes('manager');
  return account.propertyIds.includes(record.propertyId);
}
