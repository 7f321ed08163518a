import { Inject, Injectable, Optional } from '@nestjs/common';
import { ROOT_LOGGER, BadRequestError, ConflictError, DomainError } from '@portico/service-kit';
import type { Logger } from '@portico/observability';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '@portico/service-kit';
import { CLOCK, type Clock } from '../shared/tokens';
import { consentWithdrawals, DirectoryHooks } from './consent-changes';
import { DirectoryMetrics } from './directory.metrics';
import { addressKeys, normaliseUnitLabel } from './address';
import type { DirectoryImport, DirectoryImportResult } from './directory-import.schema';
import {
  DirectoryRepository,
  type PreRegistrationRow,
  type PropertyRow,
  type ResidentRow,
  type RotaRow,
  type StaffRow,
  type UnitRow,
} from './directory.repository';

const DEFAULT_TIME_ZONE: Readonly<Record<string, string>> = {
  CN: 'Asia/Shanghai',
  HK: 'Asia/Hong_Kong',
  MO: 'Asia/Macau',
  TW: 'Asia/Taipei',
  SG: 'Asia/Singapore',
};

interface IdIssue {
  readonly path: string;
  readonly code: string;
}

/**
 * Imports a tenant's directory as idempotent upserts in one transaction: the same body twice
 * leaves the same rows. Rows are only ever added or updated (removals arrive as roster changes);
 * a listed resident or staff member who had been removed is back. An id that already belongs to
 * another tenant is refused rather than taken over. JSON and CSV bodies both end up here.
 */
@Injectable()
export class DirectoryService {
  private readonly log: Logger;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly directory: DirectoryRepository,
    private readonly metrics: DirectoryMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROOT_LOGGER) root: Logger,
    @Optional() private readonly hooks?: DirectoryHooks,
  ) {
    this.log = root.child({ component: 'directory' });
  }

  async importDirectory(
    input: DirectoryImport,
    format: 'json' | 'csv' = 'json',
  ): Promise<DirectoryImportResult> {
    try {
      const result = await this.write(input);
      this.metrics.imported(format, 'ok');
      // Counts and ids only: the directory is full of names and phone numbers.
      this.log.info({ ...result, format }, 'directory imported');
      return result;
    } catch (e) {
      if (e instanceof DomainError) this.metrics.imported(format, 'rejected');
      throw e;
    }
  }

  private async write(input: DirectoryImport): Promise<DirectoryImportResult> {
    const tenantId = input.tenant.id;
    const rows = toRows(input);
    return this.uow.transaction(async (m) => {
      await this.directory.upsertTenant(m, input.tenant);
      this.refuseForeign(
        rows.properties.map((r, i) => ({ id: r.id, path: `properties.${i}.id` })),
        await this.directory.upsertProperties(m, tenantId, rows.properties),
      );
      this.refuseForeign(rows.unitPaths, await this.directory.upsertUnits(m, tenantId, rows.units));
      const consentBefore = await this.directory.consentOf(
        m,
        tenantId,
        rows.residents.map((r) => r.id),
      );
      const residentIds = await this.directory.upsertResidents(m, tenantId, rows.residents);
      this.refuseForeign(rows.residentPaths, residentIds);
      // Open work for a resident who just said "no more messages here" must hear of it.
      await this.hooks?.consentWithdrawn(
        m,
        tenantId,
        consentWithdrawals(consentBefore, rows.residents.map(consentOfRow)),
        this.clock(),
      );
      await this.directory.replacePreRegistrations(m, tenantId, residentIds, rows.preRegistrations);
      await this.assertStaffProperties(m, tenantId, input);
      const staffIds = await this.directory.upsertStaff(m, tenantId, rows.staff);
      this.refuseForeign(
        rows.staff.map((r, i) => ({ id: r.id, path: `staff.${i}.id` })),
        staffIds,
      );
      await this.directory.replaceStaffAssignments(m, staffIds, rows.rota);
      // Roster changes that happened before this import no longer apply to what it listed.
      const now = this.clock();
      await this.directory.stampVersions(m, tenantId, 'resident', residentIds, now);
      await this.directory.stampVersions(m, tenantId, 'staff', staffIds, now);
      await this.directory.stampVersions(
        m,
        tenantId,
        'duty',
        rows.rota.map((r) => `${r.propertyId}/${r.staffId}`),
        now,
      );
      return {
        tenantId,
        properties: rows.properties.length,
        units: rows.units.length,
        residents: rows.residents.length,
        staff: rows.staff.length,
      };
    });
  }

  /** Upserts skip rows whose id belongs to another tenant; any id missing from the written set is one. */
  private refuseForeign(expected: readonly { id: string; path: string }[], written: readonly string[]): void {
    if (written.length === expected.length) return;
    const ok = new Set(written);
    const issues: IdIssue[] = expected
      .filter((e) => !ok.has(e.id))
      .map((e) => ({ path: e.path, code: 'id_owned_by_another_tenant' }));
    throw new ConflictError(
      'directory_id_conflict',
      {
        en: 'Some ids in the import already belong to another tenant.',
        zh: '导入数据中的部分 ID 已属于其他租户。',
      },
      { issues },
    );
  }

  private async assertStaffProperties(
    m: EntityManager,
    tenantId: string,
    input: DirectoryImport,
  ): Promise<void> {
    const wanted = [...new Set(input.staff.flatMap((s) => s.propertyIds))];
    const known = await this.directory.propertyIdsOfTenant(m, tenantId, wanted);
    const issues: IdIssue[] = [];
    input.staff.forEach((s, si) =>
      s.propertyIds.forEach((id, pi) => {
        if (!known.has(id)) issues.push({ path: `staff.${si}.propertyIds.${pi}`, code: 'unknown_property' });
      }),
    );
    if (issues.length > 0) {
      throw new BadRequestError(
        'unknown_property',
        {
          en: 'Staff are assigned to properties this tenant does not have.',
          zh: '员工被分配到了该租户不存在的物业。',
        },
        { issues },
      );
    }
  }
}

interface ImportRows {
  properties: PropertyRow[];
  units: UnitRow[];
  unitPaths: { id: string; path: string }[];
  residents: ResidentRow[];
  residentPaths: { id: string; path: string }[];
  preRegistrations: PreRegistrationRow[];
  staff: StaffRow[];
  rota: RotaRow[];
}

/** A resident row's consent, as the withdrawal check compares it. */
export function consentOfRow(r: ResidentRow) {
  return { id: r.id, consent: { sms: r.consentSms, email: r.consentEmail, wecom: r.consentWecom } };
}

/** The validated import as table rows (pure). */
export function toRows(input: DirectoryImport): ImportRows {
  const out: ImportRows = {
    properties: [],
    units: [],
    unitPaths: [],
    residents: [],
    residentPaths: [],
    preRegistrations: [],
    staff: [],
    rota: [],
  };
  input.properties.forEach((p, pi) => {
    const keys = addressKeys(p.address);
    out.properties.push({
      id: p.id,
      name: p.name,
      countryCode: keys.countryCode,
      region: p.address.region,
      city: p.address.city,
      district: p.address.district,
      postalCode: p.address.postalCode,
      addressLine: p.address.addressLine,
      addressLineNorm: keys.addressLineNorm,
      cityNorm: keys.cityNorm,
      postalCodeNorm: keys.postalCodeNorm,
      defaultLanguage: p.language,
      timeZone: p.timeZone ?? DEFAULT_TIME_ZONE[keys.countryCode] ?? 'UTC',
      residentOutreach: p.residentOutreach,
      quietHoursStart: p.quietHours?.start ?? null,
      quietHoursEnd: p.quietHours?.end ?? null,
    });
    p.units.forEach((u, ui) => {
      out.units.push({ id: u.id, propertyId: p.id, label: u.label, labelNorm: normaliseUnitLabel(u.label) });
      out.unitPaths.push({ id: u.id, path: `properties.${pi}.units.${ui}.id` });
      u.residents.forEach((r, ri) => {
        out.residents.push({
          id: r.id,
          unitId: u.id,
          propertyId: p.id,
          name: r.name,
          phone: r.phone ?? null,
          language: r.language,
          consentSms: r.consent.sms,
          consentEmail: r.consent.email,
          consentWecom: r.consent.wecom,
          email: r.email ?? null,
          wecomUserId: r.wecomUserId ?? null,
          channelPreferences: r.channelPreferences,
        });
        out.residentPaths.push({ id: r.id, path: `properties.${pi}.units.${ui}.residents.${ri}.id` });
        for (const t of r.preRegisteredTrackingNumbers) {
          // The same number listed twice by one resident is one registration.
          if (out.preRegistrations.some((x) => x.residentId === r.id && x.parcelId === t.parcelId)) continue;
          out.preRegistrations.push({ residentId: r.id, ...t });
        }
      });
    });
  });
  for (const s of input.staff) {
    out.staff.push({
      id: s.id,
      name: s.name,
      role: s.role,
      language: s.language,
      channelKind: s.channel.kind,
      channelAddress: s.channel.address,
    });
    for (const propertyId of s.propertyIds) {
      out.rota.push({
        staffId: s.id,
        propertyId,
        onDuty: s.onDuty,
        priority: s.priority,
        ...(s.dutyWindow !== undefined ? { window: s.dutyWindow } : {}),
      });
    }
  }
  return out;
}
