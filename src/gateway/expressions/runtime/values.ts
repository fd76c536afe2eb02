/** C# value representations shared by the runtime library. */

/** A double / float / decimal (integers are plain JS numbers). */
export class CsDouble {
  constructor(readonly value: number) {}
  toString(): string {
    return formatDouble(this.value);
  }
}

/** C#'s shortest round-trip double text: 2.5 → "2.5", 1 → "1", 1e21 → "1E+21", NaN → "NaN". */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  const text = String(value);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const exponent = Number(text.slice(e + 1));
  const mantissa = text.slice(0, e);
  if (exponent < 0 && exponent >= -5) return value.toFixed(-exponent + (mantissa.split('.')[1]?.length ?? 0));
  return `${mantissa}E${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
