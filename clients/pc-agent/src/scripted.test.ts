import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventoryFile } from './inventory.js';
import { loadAnswersFile, parseAnswers, selectCandidates, UsageError } from './scripted.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../examples');

describe('the answers file', () => {
  it('loads the example in the README', async () => {
    const answers = await loadAnswersFile(path.join(EXAMPLES, 'answers.json'));
    expect(answers).toMatchObject({ mode: 'new', emailConsent: true, customer: { name: '山田 太郎', email: 'taro.yamada@example.jp' } });
    // Empty fields are not sent.
    expect(answers.mode === 'new' && 'addressLine2' in answers.customer).toBe(false);
  });

  it('accepts the three modes', () => {
    expect(parseAnswers({ mode: 'existing', registrationNo: '１２３４-５６７８-９０', password: 'p' })).toEqual({ mode: 'existing', registrationNo: '1234567890', password: 'p' });
    expect(parseAnswers({ mode: 'update', password: 'p', changes: { phone: '090', nickname: null } })).toEqual({ mode: 'update', password: 'p', changes: { phone: '090', nickname: null } });
  });

  it('names each mistake', () => {
    const problems = (data: unknown) => {
      try {
        parseAnswers(data);
        return [];
      } catch (err) {
        return (err as UsageError).problems;
      }
    };
    expect(problems({ mode: 'new', customer: { name: 1 }, emailConsent: 'yes' })).toEqual([
      'password: is required',
      'customer.name: must be a string or null',
      'emailConsent: must be true or false',
    ]);
    expect(problems({ mode: 'existing', registrationNo: '12', password: 'p' })).toEqual(['registrationNo: must be a 10-digit registration number such as "1234-5678-90"']);
    expect(problems({ mode: 'delete', password: 'p' })).toEqual(['mode: must be "new", "existing" or "update"']);
  });
});

describe('--peripherals', () => {
  it('selects all, none, or the listed ids, with the PC unless --no-machine', async () => {
    const inv = await loadInventoryFile(path.join(EXAMPLES, 'inventory.json'));
    expect(selectCandidates(inv, 'all', true).map((c) => c.id)).toEqual(['machine', 'usb:1-2', 'usb:1-3', 'block:nvme0n1']);
    expect(selectCandidates(inv, 'none', true).map((c) => c.id)).toEqual(['machine']);
    expect(selectCandidates(inv, 'usb:1-3, usb:1-2', false).map((c) => c.id)).toEqual(['usb:1-3', 'usb:1-2']);
  });

  it('refuses ids that do not exist or cannot be registered', async () => {
    const inv = await loadInventoryFile(path.join(EXAMPLES, 'inventory.json'));
    expect(() => selectCandidates(inv, 'usb:9-9,usb:1-4', true)).toThrow(UsageError);
    try {
      selectCandidates(inv, 'usb:9-9,usb:1-4', true);
    } catch (err) {
      expect((err as UsageError).problems).toEqual([
        'usb:9-9: no such peripheral (see `clientele-agent inventory`)',
        'usb:1-4: cannot be registered (no serial number reported)',
      ]);
    }
  });
});
