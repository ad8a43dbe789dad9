// Calendar arithmetic on ISO dates (YYYY-MM-DD). Timetable times are local
// (IST for the railway data): a date plus minutes after midnight, never a
// JavaScript Date in a server's zone.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday, the bit order of a train's runs-on mask. */
export function weekdayIndex(isoDate: string): number {
  return (new Date(`${isoDate}T00:00:00Z`).getUTCDay() + 6) % 7;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export function runsOnDays(mask: number): string[] {
  return WEEKDAYS.filter((_, i) => (mask >> i) & 1);
}

/** Local date-time with the zone offset, e.g. 2026-12-24T16:35+05:30. */
export function localDateTime(runDate: string, day: number, minuteOfDay: number, offset = '+05:30'): string {
  const date = addDays(runDate, day);
  const hh = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
  const mm = String(minuteOfDay % 60).padStart(2, '0');
  return `${date}T${hh}:${mm}${offset}`;
}

export function formatMinutes(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}
