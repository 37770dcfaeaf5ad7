const NEEDS_ESCAPE = /[\\"]/;

/** A PostgreSQL array literal of text (for a text[] column sent as one text value in bulk writes). */
export function textArrayLiteral(values: string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out += `${i ? ',' : ''}"${NEEDS_ESCAPE.test(v) ? v.replace(/[\\"]/g, '\\$&') : v}"`;
  }
  return `${out}}`;
}
