// Monthly partitions of audit_records (migrations/005_partitions.sql): audit_records_YYYY_MM holds the records whose
// ts falls in that UTC month. The writer creates the partition of every month it writes into, and the next month's,
// ahead of time through audit_records_ensure_partition (SECURITY DEFINER: the runtime role may create, never drop).
// A record whose partition is missing at insert time is never lost: the batch creates it first, in its transaction.
import type { Sql } from '../db/index.ts';

/** Matches the names audit_records_ensure_partition gives: audit_records_YYYY_MM. */
export const PARTITION_NAME = /^audit_records_([0-9]{4})_(0[1-9]|1[0-2])$/;

/** "YYYY-MM" of a date, in UTC. */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** The first instant of the month `offset` months after date's month, UTC. */
export function monthStart(date: Date, offset = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1));
}

export function partitionName(date: Date): string {
  return `audit_records_${monthOf(date).replace('-', '_')}`;
}

/** Months this process knows to have a partition; cleared when a batch fails (a partition may have gone). */
export class PartitionMonths {
  private readonly known = new Set<string>();

  /** The months, of these dates and the month after each, not known to exist yet. */
  missing(dates: readonly Date[]): Date[] {
    const out = new Map<string, Date>();
    let seen = NaN; // a batch's dates share a month or two: each month is looked up once
    for (const date of dates) {
      const index = date.getUTCFullYear() * 12 + date.getUTCMonth();
      if (index === seen) continue;
      seen = index;
      for (const month of [monthStart(date), monthStart(date, 1)]) {
        const key = monthOf(month);
        if (!this.known.has(key)) out.set(key, month);
      }
    }
    return [...out.values()];
  }

  /** Creates the partitions of these dates' months and the next ones where absent (through sql: a transaction or
   * not). */
  async ensure(sql: Sql, dates: readonly Date[]): Promise<void> {
    for (const month of this.missing(dates)) {
      await sql.query('SELECT audit_records_ensure_partition($1)', [month.toISOString()]);
      this.known.add(monthOf(month));
    }
  }

  forget(): void {
    this.known.clear();
  }
}
