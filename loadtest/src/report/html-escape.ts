/**
 * Escaping for text that ends up in the HTML report. Every string that comes from a run report
 * (scenario names, error messages, parameters, reasons) is untrusted: a gateway error body is
 * echoed into `errors[].message`, so it can contain markup.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for element content and for quoted attribute values alike, so callers need not
 * know where the string lands. Non-strings are stringified first (report values may be numbers
 * or booleans).
 */
export const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
