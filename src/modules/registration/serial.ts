/** What a serial number may look like once canonical: letters, digits and . _ / -, up to 100. */
export const SERIAL = /^[A-Z0-9][A-Z0-9._/-]{0,99}$/;

/** Serials compare without spaces and case: what a label shows and what firmware reports agree. */
export function canonicalSerial(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}
