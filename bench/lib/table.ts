/** Plain-text tables for the figures a benchmark prints at the end (Markdown-compatible). */
export type Cell = string | number;

const isNumeric = (c: Cell) => typeof c === 'number' || /^[-+≤≥<>~]?\s*[\d,.]+\s*(ms|%|s|×|rows\/s|MB|GB)?$/.test(c);

/** Formats a number with thousands separators and a fixed number of decimals. */
export function fmt(n: number, decimals = 0): string {
  if (!Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Renders a Markdown table with padded columns; numbers are right-aligned. */
export function renderTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = headers.map((h, i) => Math.max([...h].length, ...text.map((r) => [...(r[i] ?? '')].length)));
  const right = headers.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === undefined || r[i] === '' || isNumeric(r[i]!)));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(Math.max(widths[i]! - [...s].length, 0));
    return right[i] ? fill + s : s + fill;
  };
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(headers), rule, ...text.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join('\n');
}

/** Prints a titled table to standard output (figures go to stdout, progress to stderr). */
export function printTable(title: string, headers: string[], rows: Cell[][]): void {
  process.stdout.write(`\n### ${title}\n\n${renderTable(headers, rows)}\n`);
}
