import { describe, expect, it } from 'vitest';
import { bigText, box, displayWidth, table, truncate } from './text.js';

describe('terminal text', () => {
  it('measures Japanese as two columns a character', () => {
    expect(displayWidth('登録番号')).toBe(8);
    expect(displayWidth('ABC')).toBe(3);
    expect(displayWidth('ｱｲｳ')).toBe(3);
  });

  it('lines up table columns and boxes whatever the script', () => {
    const t = table(['項目', 'Value'], [['氏名', 'A'], ['E-mail', 'B']]).split('\n');
    expect(t.map((l) => l.indexOf('A') >= 0 || l.indexOf('B') >= 0 ? displayWidth(l) : 0).filter(Boolean)).toEqual([9, 9]);
    const b = box(['登録番号: 1', 'x']).split('\n');
    expect(new Set(b.map(displayWidth)).size).toBe(1);
  });

  it('truncates by display width', () => {
    expect(truncate('あいうえお', 5)).toBe('あい…');
  });

  it('renders a registration number in large digits, five rows high', () => {
    const rows = bigText('1234-5678-90')!;
    expect(rows).toHaveLength(5);
    expect(rows.join('')).toContain('█');
    expect(bigText('12A')).toBeNull();
  });
});
