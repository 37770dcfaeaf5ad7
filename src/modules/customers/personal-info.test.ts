import { describe, expect, it } from 'vitest';
import { cleanPersonal } from './personal-info.js';

describe('birth dates', () => {
  const check = (birthDate: string) => cleanPersonal({ birthDate });
  it('accepts real past dates from 1900, with slashes or full-width digits', () => {
    expect(check('2024-02-29').values.birthDate).toBe('2024-02-29');
    expect(check('2000-02-29').values.birthDate).toBe('2000-02-29');
    expect(check('1900-01-01').values.birthDate).toBe('1900-01-01');
    expect(check('1985/12/31').values.birthDate).toBe('1985-12-31');
    expect(check('１９８５／０１／０２').values.birthDate).toBe('1985-01-02');
  });
  it('refuses dates that do not exist, before 1900 or in the future', () => {
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    for (const bad of ['2023-02-29', '1900-02-29', '2001-04-31', '2001-13-01', '2001-00-10', '2001-01-00', '1899-12-31', future, '85-01-02', '2001-1-2']) {
      const { values, problems } = check(bad);
      expect(values.birthDate, bad).toBeUndefined();
      expect(problems, bad).toEqual([{ field: 'birthDate', message: 'must be a past date as YYYY-MM-DD' }]);
    }
  });
});
