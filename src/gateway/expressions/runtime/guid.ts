/** System.Guid. */
import { randomUUID } from 'crypto';
import { bindClass, CsException, defineType, stringArg } from './core';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class CsGuid {
  /** Lower-case "D" form. */
  constructor(readonly text: string) {}
  static parse(input: string): CsGuid {
    const parsed = CsGuid.tryParse(input);
    if (!parsed) throw new CsException('FormatException', 'Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).');
    return parsed;
  }
  static tryParse(input: string): CsGuid | undefined {
    let t = input.trim().toLowerCase();
    if (/^[{(].*[})]$/.test(t)) t = t.slice(1, -1);
    if (/^[0-9a-f]{32}$/.test(t)) t = `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
    return FORMAT.test(t) ? new CsGuid(t) : undefined;
  }
  static random(): CsGuid {
    return new CsGuid(randomUUID());
  }
  /** .NET byte order: the first three groups little-endian. */
  static fromBytes(bytes: Uint8Array): CsGuid {
    if (bytes.length !== 16) throw new CsException('ArgumentException', "Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')");
    const hex = (i: number) => bytes[i].toString(16).padStart(2, '0');
    const order = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];
    return new CsGuid(order.map((i) => (i < 0 ? '-' : hex(i))).join(''));
  }
  toBytes(): Uint8Array {
    const raw = Buffer.from(this.text.replace(/-/g, ''), 'hex');
    const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    return Uint8Array.from(order.map((i) => raw[i]));
  }
  format(format: string): string {
    switch (format) {
      case '':
      case 'D':
      case 'd':
        return this.text;
      case 'N':
      case 'n':
        return this.text.replace(/-/g, '');
      case 'B':
      case 'b':
        return `{${this.text}}`;
      case 'P':
      case 'p':
        return `(${this.text})`;
    }
    throw new CsException('FormatException', 'Format string can be only "D", "d", "N", "n", "P", "p", "B", "b", "X" or "x".');
  }
  csEquals(other: unknown): boolean {
    return other instanceof CsGuid && other.text === this.text;
  }
  compareTo(other: unknown): number {
    return other instanceof CsGuid ? (this.text < other.text ? -1 : this.text > other.text ? 1 : 0) : 1;
  }
}

export const GUID = defineType({
  fullName: 'System.Guid',
  names: ['Guid', 'ValueType'],
  toString: (self: CsGuid) => self.text,
  methods: {
    ToString: (self: CsGuid, [format]) => self.format(format === undefined || format === null ? '' : stringArg(format, 'format')),
    ToByteArray: (self: CsGuid) => self.toBytes(),
    Equals: (self: CsGuid, [other]) => self.csEquals(other),
    CompareTo: (self: CsGuid, [other]) => self.compareTo(other),
  },
});
bindClass(CsGuid, GUID);
