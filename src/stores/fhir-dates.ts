/** FHIR R4 date, dateTime and instant: the lexical forms of the spec plus a real calendar check. */

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-](?:\d{2}):(?:\d{2})))?)?)?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

interface Parts {
  readonly hasMonth: boolean;
  readonly hasDay: boolean;
  readonly hasTime: boolean;
}

function parse(value: string): Parts | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const year = Number(y);
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) return null;
  if (d !== undefined && (Number(d) < 1 || Number(d) > daysIn(year, Number(mo)))) return null;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)) return null;
  return { hasMonth: mo !== undefined, hasDay: d !== undefined, hasTime: h !== undefined };
}

/** YYYY, YYYY-MM or YYYY-MM-DD. */
export function isFhirDate(value: string): boolean {
  const parts = parse(value);
  return parts !== null && !parts.hasTime;
}

/** A date, or a full date and time with seconds and a time zone. */
export function isFhirDateTime(value: string): boolean {
  return parse(value) !== null;
}

/** A full date and time with seconds and a time zone. */
export function isFhirInstant(value: string): boolean {
  const parts = parse(value);
  return parts !== null && parts.hasTime;
}
