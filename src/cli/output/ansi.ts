/** Terminal colours of the reports for people; `paint` leaves the text as it is when colour is off. */
export const ANSI = { red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', dim: '\u001b[2m', bold: '\u001b[1m', underline: '\u001b[4m', reset: '\u001b[0m' };

export type Paint = (code: string, text: string) => string;

export function painter(color: boolean): Paint {
  return (code, text) => (color ? `${code}${text}${ANSI.reset}` : text);
}
