import { describe, expect, it } from 'vitest';
import { PRODUCT_CATEGORIES, REGISTRATION_FIELDS } from '../../../src/modules/registration/registration-form.js';
import { runAgent } from './run-agent.js';

// The files an administrator hands the agent are described where they look first: `--help`.
const INVENTORY_KEYS = ['machine', 'peripherals', 'warnings', 'maker', 'model', 'serial', 'category', 'uuid', 'id', 'registrable', 'details', 'reason'];
const ANSWERS_KEYS = ['mode', 'customer', 'password', 'emailConsent', 'registrationNo', 'changes', 'serial'];

function expectInventoryFormat(help: string): void {
  expect(help).toContain('Inventory file (--from-file');
  for (const key of INVENTORY_KEYS) expect(help, `inventory key "${key}"`).toContain(`"${key}"`);
  for (const category of PRODUCT_CATEGORIES) expect(help, `category ${category}`).toMatch(new RegExp(`\\b${category}\\b`));
}

describe('clientele-agent --help', () => {
  it('inventory --help describes the inventory file, every key and category', async () => {
    const res = await runAgent(['inventory', '--help']);
    expect(res.code, res.stderr).toBe(0);
    expectInventoryFormat(res.stdout);
  });

  it('register --help describes the answers file (every mode, key and personal field), the inventory file and the output', async () => {
    const res = await runAgent(['register', '--help']);
    expect(res.code, res.stderr).toBe(0);
    const help = res.stdout;
    expect(help).toContain('Answers file (--answers)');
    // Checked within the answers section: the inventory section names some of the same keys.
    const answers = help.slice(help.indexOf('Answers file (--answers)'), help.indexOf('Inventory file (--from-file'));
    for (const mode of ['new', 'existing', 'update']) expect(answers).toContain(`"mode": "${mode}"`);
    for (const key of ANSWERS_KEYS) expect(answers, `answers key "${key}"`).toContain(`"${key}"`);
    // The personal fields are the server's form: a field added there must be documented here.
    for (const field of REGISTRATION_FIELDS) expect(answers, `personal field ${field.name}`).toMatch(new RegExp(`\\b${field.name}\\b`));
    expectInventoryFormat(help);
    expect(help).toContain('"registrationNumber"');
    expect(help).toContain('{"error": {"code", "message", "details"}}');
    expect(help).toMatch(/Exit codes: 0 done, 1 refused/);
    // The dialogue the server leads is an option of register, explained there.
    expect(help).toMatch(/--server-led\s+a new registration in this terminal, asked question by\s+question by the server/);
    expect(help).toContain('Server-led (--server-led):');
    expect(help).toContain('POST /api/registration/dialogue');
  });

  it('the top-level --help points to register --help for the file formats', async () => {
    const res = await runAgent(['--help']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/File formats: `clientele-agent register --help` describes the answers file \(--answers\) and the\s+inventory file \(--from-file/);
  });
});
