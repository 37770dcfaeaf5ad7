/**
 * Terminal text helpers. Japanese labels take two columns per character, so tables and boxes
 * measure display width, not string length.
 */

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return width;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Cuts text to a display width, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/** A plain table: header row, a rule, then rows; columns as wide as their widest cell (capped). */
export function table(header: string[], rows: string[][], maxColumnWidth = 32): string {
  const widths = header.map((h, i) => Math.min(maxColumnWidth, Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? '')))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => padEnd(truncate(c, widths[i]!), widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A box around lines, for what the customer must not miss. */
export function box(lines: string[]): string {
  const inner = Math.max(...lines.map(displayWidth));
  return [
    `┌${'─'.repeat(inner + 2)}┐`,
    ...lines.map((l) => `│ ${padEnd(l, inner)} │`),
    `└${'─'.repeat(inner + 2)}┘`,
  ].join('\n');
}

// A 5×5 font for digits and the hyphen of a registration number: readable from across a desk.
const GLYPHS: Record<string, string[]> = {
  '0': [' ### ', '#   #', '#   #', '#   #', ' ### '],
  '1': ['  #  ', ' ##  ', '  #  ', '  #  ', ' ### '],
  '2': [' ### ', '#   #', '  ## ', ' #   ', '#####'],
  '3': ['#### ', '    #', ' ### ', '    #', '#### '],
  '4': ['#   #', '#   #', '#####', '    #', '    #'],
  '5': ['#####', '#    ', '#### ', '    #', '#### '],
  '6': [' ### ', '#    ', '#### ', '#   #', ' ### '],
  '7': ['#####', '    #', '   # ', '  #  ', '  #  '],
  '8': [' ### ', '#   #', ' ### ', '#   #', ' ### '],
  '9': [' ### ', '#   #', ' ####', '    #', ' ### '],
  '-': ['     ', '     ', ' ### ', '     ', '     '],
};

/** Renders digits and hyphens in large block letters; null when a character has no glyph. */
export function bigText(text: string): string[] | null {
  const glyphs = [...text].map((ch) => GLYPHS[ch]);
  if (glyphs.some((g) => !g)) return null;
  const rows: string[] = [];
  for (let r = 0; r < 5; r++) rows.push(glyphs.map((g) => g![r]!.replace(/#/g, '█')).join(' ').trimEnd());
  return rows;
}
