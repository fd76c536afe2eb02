/** A secret named value whose value this run knows (its `valueFromEnv` variable is set). */
export interface KnownSecret {
  namedValue: string;
  /** How policies reference it (`{{displayName}}`); names it where its value is hidden. */
  displayName: string;
  value: string;
}

/**
 * Hiding the secret values a run knows wherever they would be printed: a value may reach output through a policy diff,
 * a field the user put it in by mistake, or an error body that echoes what was sent. Besides the value as it is,
 * the forms it takes when printed inside JSON, XML or a URL are hidden too.
 */

/**
 * Shorter values are not looked for: they would match ordinary text (a secret of 3 characters is no secret, and
 * hiding every `abc` in the output would make it unreadable).
 */
export const MIN_FINDABLE_SECRET_LENGTH = 4;

/** What a hidden value is replaced with: it names the named value, never the value. */
export function redactedSecret(secret: KnownSecret): string {
  return `<secret: ${secret.displayName}>`;
}

/** The forms a value takes in printed text: as it is, in a JSON string, in XML text or attributes, URL-encoded. */
function printedForms(value: string): string[] {
  const xml = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [value, JSON.stringify(value).slice(1, -1), xml, encodeURIComponent(value)];
}

/** The text with every known secret value (of findable length) replaced by redactedSecret(); longer values first. */
export type Redact = (text: string) => string;

export function secretRedactor(secrets: readonly KnownSecret[]): Redact {
  const replacements = secrets
    .filter((secret) => secret.value.length >= MIN_FINDABLE_SECRET_LENGTH)
    .flatMap((secret) => [...new Set(printedForms(secret.value))].map((form) => ({ form, shown: redactedSecret(secret) })))
    .sort((a, b) => b.form.length - a.form.length);
  if (!replacements.length) return (text) => text;
  // One pass, so that a replacement is never searched again (a value may occur inside another's replacement).
  const shownByForm = new Map(replacements.map(({ form, shown }) => [form, shown]));
  const pattern = new RegExp([...shownByForm.keys()].map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, (form) => shownByForm.get(form)!);
}
