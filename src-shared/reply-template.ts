/**
 * Reply templates with fields (issue 14, deliverable 5): `{{first_name}}`, `{{provider}}` and `{{clinic_phone}}`
 * in a template's text are replaced by the patient's first name, the thread's provider and the clinic's phone.
 *
 * Safety: fields are found in the TEMPLATE text only, in one pass, and a value is inserted as plain text: it is
 * never scanned again, never evaluated, and `$` sequences in it mean nothing (a replacer function, not a
 * replacement pattern, so a name like "$&" or "$'" is not expanded). A patient called "{{provider}}", "${x}" or
 * "{clinic_phone}" therefore appears exactly as written. Anything in a template that is not one of the three
 * fields (an unknown "{{name}}", "${…}", single braces) is left as text.
 */

/** The fields a template may use, by placeholder name. */
export const TEMPLATE_FIELDS = ['first_name', 'provider', 'clinic_phone'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** What the fields are filled with; null or blank when unknown (e.g. a thread without a provider). */
export type TemplateValues = Record<TemplateField, string | null>;

/** Human labels of the fields, for the template picker's hints. */
export const TEMPLATE_FIELD_LABEL: Record<TemplateField, string> = {
  first_name: 'patient first name',
  provider: 'provider',
  clinic_phone: 'clinic phone',
};

const PLACEHOLDER = /\{\{\s*(first_name|provider|clinic_phone)\s*\}\}/g;

/**
 * Fill a template's fields. Returns the text and the fields that had no value; those placeholders are left in
 * the text as written, for the person to fill in before sending. Pure; never throws.
 */
export function fillTemplate(
  template: string,
  values: TemplateValues,
): { text: string; missing: TemplateField[] } {
  const missing = new Set<TemplateField>();
  const text = template.replace(PLACEHOLDER, (placeholder: string, name: string) => {
    const field = name as TemplateField;
    const value = values[field]?.trim();
    if (!value) {
      missing.add(field);
      return placeholder;
    }
    return value;
  });
  return { text, missing: [...missing] };
}

/** The fields a template uses (for the picker: "uses patient first name, provider"). */
export function fieldsOf(template: string): TemplateField[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as TemplateField))];
}
