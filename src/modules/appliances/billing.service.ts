import { sql } from 'kysely';
import type { Db, Executor } from '../../platform/db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import type { CustomersService } from '../customers/index.js';
import { monthLabel, monthOf, type Month } from './appliance-time.js';
import { billingRepository as repo, type ChargeRegistrationRow, type ChargeUsageRow } from './billing.repository.js';
import { billNumber, computeBill, monthShare, type BillAppliance, type BillLine, type ComputedBill } from './billing.js';
import type { CatalogService, ModelView } from './catalog.service.js';
import { registrationsRepository as regRepo } from './registrations.repository.js';
import { usageRepository } from './usage.repository.js';
import { ROLLUP_LOCK_KEY } from './usage-ingest.service.js';

export interface BillView {
  id: number | null;
  number: string | null;
  month: Month;
  status: 'provisional' | 'issued' | 'paid';
  customerNumber: string;
  customerName: string | null;
  address: string | null;
  lines: (Omit<BillLine, 'usageMonth'> & { usageMonth: string | null })[];
  subtotalYen: number;
  discountYen: number;
  totalYen: number;
  hasLateUsage: boolean;
  issuedAt: string | null;
  paidAt: string | null;
}

const charge = (uses: number, minutes: number, perUse: number, perMinute: number) => Math.round(uses * perUse + minutes * perMinute);

/**
 * Rental billing (A-7, FIG. 8): the charge calculation per month, bills per customer (computed
 * live while the month is open, frozen when it is closed), payments and receipts.
 */
export class BillingService {
  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogService,
    private readonly customers: CustomersService,
  ) {}

  private assertMonth(month: Month): void {
    if (!/^\d{4}-\d{2}-01$/.test(month)) throw new ValidationError([{ field: 'month', message: 'must be YYYY-MM' }]);
  }

  /** Bills of a month computed from the rollups (all customers, or one). */
  async compute(db: Executor, month: Month, customerId?: number): Promise<Map<number, ComputedBill>> {
    const [usage, regs, models] = await Promise.all([
      repo.chargeUsage(db, month, customerId),
      repo.chargeRegistrations(db, month, customerId),
      this.catalog.models(),
    ]);
    const byModel = new Map(models.map((m) => [m.model, m]));
    const perCustomer = new Map<number, Map<string, BillAppliance>>();
    const applianceOf = (customer: number, mfg: string, modelCode: string): BillAppliance => {
      let map = perCustomer.get(customer);
      if (!map) perCustomer.set(customer, (map = new Map()));
      let a = map.get(mfg);
      if (!a) {
        const model: ModelView | undefined = byModel.get(modelCode);
        a = {
          manufacturingNumber: mfg,
          model: modelCode,
          modelName: model?.name ?? modelCode,
          monthlyBaseYen: model?.monthlyBaseYen ?? 0,
          discountThresholdMinutes: model?.discountThresholdMinutes ?? null,
          discountPercent: model?.discountPercent ?? 0,
          baseFraction: 0,
          usage: [],
        };
        map.set(mfg, a);
      }
      return a;
    };
    for (const r of regs as ChargeRegistrationRow[]) {
      applianceOf(r.customer_id, r.manufacturing_number, r.model).baseFraction += monthShare(month, r.registered_at, r.ended_at);
    }
    for (const u of usage as ChargeUsageRow[]) {
      const tariff = byModel.get(u.model)?.functions.find((f) => f.code === u.function_code);
      applianceOf(u.customer_id, u.manufacturing_number, u.model).usage.push({
        functionCode: u.function_code,
        functionName: tariff?.name ?? u.function_code,
        usageMonth: u.usage_month,
        uses: u.uses,
        billableMin: u.billable_min,
        perUseYen: tariff?.perUseYen ?? 0,
        perMinuteYen: tariff?.perMinuteYen ?? 0,
      });
    }
    const out = new Map<number, ComputedBill>();
    for (const [customer, appliances] of perCustomer) {
      const bill = computeBill(month, [...appliances.values()]);
      if (bill.lines.length > 0) out.set(customer, bill);
    }
    return out;
  }

  /** The charge calculation screen (FIG. 8(b)): every customer's charge of a month, and whether the month is closed. */
  async month(month: Month) {
    this.assertMonth(month);
    const closed = await repo.closedMonth(this.db, month);
    let rows: { customerId: number; billId: number | null; number: string | null; subtotalYen: number; discountYen: number; totalYen: number; usageMinutes: number; hasLateUsage: boolean; paidAt: string | null }[];
    if (closed) {
      const bills = await repo.billsOfMonth(this.db, month);
      const lines = await repo.linesOf(this.db, bills.map((b) => b.id));
      rows = bills.map((b) => {
        const own = lines.filter((l) => l.bill_id === b.id);
        return {
          customerId: b.customer_id,
          billId: b.id,
          number: b.number,
          subtotalYen: b.subtotal_yen,
          discountYen: b.discount_yen,
          totalYen: b.total_yen,
          usageMinutes: own.filter((l) => l.kind === 'usage' || l.kind === 'late_usage').reduce((s, l) => s + Number(l.billable_min), 0),
          hasLateUsage: own.some((l) => l.kind === 'late_usage'),
          paidAt: b.paid_at?.toISOString() ?? null,
        };
      });
    } else {
      const computed = await this.compute(this.db, month);
      rows = [...computed].map(([customerId, b]) => ({
        customerId,
        billId: null,
        number: null,
        subtotalYen: b.subtotalYen,
        discountYen: b.discountYen,
        totalYen: b.totalYen,
        usageMinutes: b.usageMinutes,
        hasLateUsage: b.lines.some((l) => l.kind === 'late_usage'),
        paidAt: null,
      }));
    }
    rows.sort((a, b) => a.customerId - b.customerId || (a.billId ?? 0) - (b.billId ?? 0));
    const profiles = await this.customers.messagingProfiles([...new Set(rows.map((r) => r.customerId))]);
    return {
      month,
      status: closed ? ('closed' as const) : ('open' as const),
      closedAt: closed?.closed_at.toISOString() ?? null,
      closedBy: closed?.closed_by ?? null,
      totals: {
        customers: new Set(rows.map((r) => r.customerId)).size,
        subtotalYen: rows.reduce((s, r) => s + r.subtotalYen, 0),
        discountYen: rows.reduce((s, r) => s + r.discountYen, 0),
        totalYen: rows.reduce((s, r) => s + r.totalYen, 0),
      },
      customers: rows.map(({ customerId, ...r }) => ({ customerNumber: String(customerId), name: profiles.get(customerId)?.personal.name ?? null, ...r })),
    };
  }

  /** A customer's bill(s) of a month: the frozen ones of a closed month, or the provisional one. */
  async customerBills(month: Month, customerId: number): Promise<BillView[]> {
    this.assertMonth(month);
    const profile = (await this.customers.messagingProfiles([customerId])).get(customerId);
    if (!profile) throw new NotFoundError('customer', customerId);
    const address = [profile.personal.postalCode, profile.personal.prefecture, profile.personal.city, profile.personal.addressLine1, profile.personal.addressLine2]
      .filter(Boolean)
      .join(' ');
    const who = { customerNumber: String(customerId), customerName: profile.personal.name, address: address || null };
    const closed = await repo.closedMonth(this.db, month);
    if (closed) {
      const bills = (await repo.billsOf(this.db, customerId)).filter((b) => b.month === month);
      const lines = await repo.linesOf(this.db, bills.map((b) => b.id));
      return bills.map((b) => {
        const own = lines.filter((l) => l.bill_id === b.id);
        return {
          id: b.id,
          number: b.number,
          month,
          status: b.paid_at ? 'paid' : 'issued',
          ...who,
          lines: own.map((l) => ({
            kind: l.kind,
            manufacturingNumber: l.manufacturing_number,
            model: l.model,
            functionCode: l.function_code,
            usageMonth: l.usage_month,
            uses: l.uses,
            billableMin: Number(l.billable_min),
            description: l.description,
            amountYen: Number(l.amount_yen),
          })),
          subtotalYen: b.subtotal_yen,
          discountYen: b.discount_yen,
          totalYen: b.total_yen,
          hasLateUsage: own.some((l) => l.kind === 'late_usage'),
          issuedAt: b.issued_at.toISOString(),
          paidAt: b.paid_at?.toISOString() ?? null,
        };
      });
    }
    const bill = (await this.compute(this.db, month, customerId)).get(customerId) ?? computeBill(month, []);
    return [
      {
        id: null,
        number: null,
        month,
        status: 'provisional',
        ...who,
        lines: bill.lines,
        subtotalYen: bill.subtotalYen,
        discountYen: bill.discountYen,
        totalYen: bill.totalYen,
        hasLateUsage: bill.lines.some((l) => l.kind === 'late_usage'),
        issuedAt: null,
        paidAt: null,
      },
    ];
  }

  async billById(id: number): Promise<BillView> {
    const bill = await repo.bill(this.db, id);
    if (!bill) throw new NotFoundError('bill', id);
    const views = await this.customerBills(bill.month, bill.customer_id);
    const view = views.find((v) => v.id === id);
    if (!view) throw new NotFoundError('bill', id);
    return view;
  }

  /**
   * Closes a month: its bills are computed once more and frozen. Takes the rollups' lock
   * exclusively, so no record is half-way into the month while it closes; records of the
   * month that arrive later go on the next open month's bill as late usage.
   */
  async close(month: Month, by: string) {
    this.assertMonth(month);
    if (month >= monthOf(new Date())) throw new ValidationError([{ field: 'month', message: 'only a month that is over can be closed' }]);
    const issued = await this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(${ROLLUP_LOCK_KEY})`.execute(tx);
      if (!(await repo.close(tx, month, by))) throw new ConflictError('month_closed', `${monthLabel(month)} is closed already`);
      const bills = await this.compute(tx, month);
      await repo.insertBills(
        tx,
        [...bills].map(([customerId, b]) => ({
          number: billNumber(month, customerId),
          customer_id: customerId,
          month,
          subtotal_yen: b.subtotalYen,
          discount_yen: b.discountYen,
          total_yen: b.totalYen,
          lines: b.lines.map((l) => ({
            kind: l.kind,
            manufacturing_number: l.manufacturingNumber,
            model: l.model,
            function_code: l.functionCode,
            usage_month: l.usageMonth,
            uses: l.uses,
            billable_min: l.billableMin,
            description: l.description,
            amount_yen: l.amountYen,
          })),
        })),
      );
      return { bills: bills.size, totalYen: [...bills.values()].reduce((s, b) => s + b.totalYen, 0) };
    });
    return { month, ...issued };
  }

  async markPaid(billId: number, at = new Date()): Promise<BillView> {
    const bill = await repo.bill(this.db, billId);
    if (!bill) throw new NotFoundError('bill', billId);
    if (!(await repo.markPaid(this.db, billId, at))) throw new ConflictError('bill_paid', `Bill ${bill.number} is paid already`);
    return this.billById(billId);
  }

  async closedMonths() {
    return (await repo.closedMonths(this.db)).map((m) => ({ month: m.month, closedAt: m.closed_at.toISOString(), closedBy: m.closed_by }));
  }

  /**
   * A customer's appliances with usage and charge per appliance and function (FIG. 8(a)):
   * the month's uses, time and charge, and totals since registration.
   */
  async customerAppliances(customerId: number, month: Month) {
    this.assertMonth(month);
    const [regs, models] = await Promise.all([regRepo.ofCustomer(this.db, customerId), this.catalog.models()]);
    const usage = await usageRepository.usageOfRegistrations(this.db, regs.map((r) => r.id));
    const byModel = new Map(models.map((m) => [m.model, m]));
    type FunctionUsage = { functionCode: string; name: string; monthUses: number; monthSec: number; monthMinutes: number; monthChargeYen: number; totalUses: number; totalSec: number; lastUseAt: string | null };
    type ApplianceUsage = {
      manufacturingNumber: string;
      model: string;
      modelName: string;
      productType: string;
      registrations: { registeredAt: string; endedAt: string | null; area: string | null; source: string; cardNumber: string | null }[];
      current: boolean;
      functions: Map<string, FunctionUsage>;
    };
    const appliances = new Map<string, ApplianceUsage>();
    for (const r of regs) {
      const model = byModel.get(r.model);
      const a: ApplianceUsage = appliances.get(r.manufacturing_number) ?? {
        manufacturingNumber: r.manufacturing_number,
        model: r.model,
        modelName: model?.name ?? r.model,
        productType: model?.productType ?? 'other',
        registrations: [],
        current: false,
        functions: new Map(),
      };
      a.registrations.push({
        registeredAt: r.registered_at.toISOString(),
        endedAt: r.ended_at?.toISOString() ?? null,
        area: r.area || null,
        source: r.source,
        cardNumber: r.card_number,
      });
      if (r.end_seq === null) a.current = true;
      appliances.set(r.manufacturing_number, a);
      for (const u of usage.filter((x) => x.registration_id === r.id)) {
        const tariff = model?.functions.find((f) => f.code === u.function_code);
        const f: FunctionUsage = a.functions.get(u.function_code) ?? {
          functionCode: u.function_code,
          name: tariff?.name ?? u.function_code,
          monthUses: 0,
          monthSec: 0,
          monthMinutes: 0,
          monthChargeYen: 0,
          totalUses: 0,
          totalSec: 0,
          lastUseAt: null,
        };
        f.totalUses += u.uses;
        f.totalSec += Number(u.total_sec);
        const last = u.last_use_at?.toISOString() ?? null;
        if (last && (!f.lastUseAt || last > f.lastUseAt)) f.lastUseAt = last;
        if (u.usage_month === month) {
          f.monthUses += u.uses;
          f.monthSec += Number(u.total_sec);
          f.monthMinutes += Number(u.billable_min);
        }
        a.functions.set(u.function_code, f);
      }
      for (const f of a.functions.values()) {
        const tariff = model?.functions.find((x) => x.code === f.functionCode);
        f.monthChargeYen = charge(f.monthUses, f.monthMinutes, tariff?.perUseYen ?? 0, tariff?.perMinuteYen ?? 0);
      }
    }
    const [bill] = await this.customerBills(month, customerId);
    return {
      customerNumber: String(customerId),
      month,
      appliances: [...appliances.values()].map((a) => {
        const functions = [...a.functions.values()].sort((x, y) => x.functionCode.localeCompare(y.functionCode));
        return {
          ...a,
          functions,
          monthSec: functions.reduce((s, f) => s + f.monthSec, 0),
          monthChargeYen: functions.reduce((s, f) => s + f.monthChargeYen, 0),
        };
      }),
      bill: bill ? { status: bill.status, number: bill.number, totalYen: bill.totalYen, hasLateUsage: bill.hasLateUsage } : null,
    };
  }
}
