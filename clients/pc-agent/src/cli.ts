import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runFirstBoot, firstBootExitCode } from './first-boot.js';
import { runInteractive, type DialogueDeps, type DialogueOutcome } from './interactive.js';
import { collectInventory, formatInventory, InventoryError, inventoryJson, type Inventory } from './inventory.js';
import { resolveStatePaths, SYSTEM_STATE_FILE, userStateFile, type StatePaths } from './pending-store.js';
import { ANSWERS_HELP, loadAnswersFile, runScripted, UsageError, type ScriptedOutcome } from './scripted.js';
import { ApiError, ServerClient, TransportError } from './server-client.js';
import { runServerLed } from './server-led.js';
import { CancelledError, TerminalPrompter } from './terminal.js';

const DEFAULT_SERVER = process.env.CLIENTELE_AGENT_SERVER || 'http://127.0.0.1:3001';

const INVENTORY_HELP = `Inventory file (--from-file, and what \`inventory --json\` prints):
  {"machine": {"maker": "Lenovo", "model": "ThinkPad X1", "serial": "PF2ABC12", "category": "pc", "uuid": "…"},
   "peripherals": [{"id": "usb:1-2", "maker": "Canon", "model": "PIXMA TS8330", "serial": "KMZ0123",
                    "category": "printer", "registrable": true}],
   "warnings": []}
  machine may be null. Categories: pc, printer, scanner, terminal_adapter, storage, other.
  "id" says where a device was found and must be unique; "details" (strings) and "reason" are optional.
  "registrable": false withdraws a device; a device without a usable serial is never registrable.`;

const SERVER_LED_HELP = `Server-led (--server-led): the inventory is read as usual (--from-file too) and every registrable
  product is sent to POST /api/registration/dialogue with the answers so far; the server says what to
  ask next (products, each personal field, e-mail consent, password) and asks again, with the reason,
  when an answer is not accepted. The answers stay in this run only until the server has the whole
  request, which is then sent like the dialogue's own: kept in pending.json (never the password),
  one Idempotency-Key across retries.`;

const EXIT_HELP = `Exit codes: 0 done, 1 refused by the server (or nothing to register), 2 network or usage error, 130 cancelled.`;

interface ConnectionOptions {
  server: string;
  stateFile?: string;
  timeout: number;
  retries: number;
}

interface InventorySource {
  sysfsRoot: string;
  fromFile?: string;
}

const say = (line = '') => process.stderr.write(`${line}\n`);

function positiveNumber(what: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${what} must be a number ≥ 0`);
    return n;
  };
}

function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'the Clientele portal (env CLIENTELE_AGENT_SERVER)', DEFAULT_SERVER)
    .option('--state-file <file>', `where the agent records that this PC is registered (default ${SYSTEM_STATE_FILE}, or ${userStateFile()} when that is not writable); answers not yet sent are kept next to it in pending.json, changes of personal information in pending-update.json`)
    .option('--timeout <seconds>', 'give up on one request after this long', positiveNumber('--timeout'), 20)
    .option('--retries <n>', 'further attempts after a network error, 5xx or 429', positiveNumber('--retries'), 4);
}

function addInventoryOptions(cmd: Command): Command {
  return cmd
    .option('--sysfs-root <dir>', 'read the devices from this sysfs tree (Linux)', '/sys')
    .option('--from-file <file>', 'use a captured inventory instead of reading this PC');
}

function makeClient(opts: ConnectionOptions): ServerClient {
  return new ServerClient(opts.server, {
    timeoutMs: opts.timeout * 1000,
    retry: { retries: Math.floor(opts.retries) },
    onRetry: (n) =>
      say(`  … ${n.reason}; ${Math.max(1, Math.round(n.delayMs / 1000))} 秒後に再試行します / retrying in ${Math.max(1, Math.round(n.delayMs / 1000))} s (${n.attempt}/${Math.floor(opts.retries)})`),
  });
}

const inventoryLoader = (opts: InventorySource) => (): Promise<Inventory> =>
  collectInventory({ sysfsRoot: opts.sysfsRoot, ...(opts.fromFile ? { fromFile: opts.fromFile } : {}) });

function printScripted(outcome: ScriptedOutcome, json: boolean): number {
  if (json) process.stdout.write(`${JSON.stringify(outcome.output)}\n`);
  else {
    const write = outcome.code === 0 ? (l: string) => process.stdout.write(`${l}\n`) : say;
    outcome.lines.forEach(write);
  }
  return outcome.code;
}

async function interactive(
  opts: ConnectionOptions & InventorySource,
  paths?: StatePaths,
  run: (deps: DialogueDeps) => Promise<DialogueOutcome> = runInteractive,
): Promise<number> {
  const prompter = new TerminalPrompter();
  try {
    const outcome = await run({
      prompter,
      client: makeClient(opts),
      paths: paths ?? (await resolveStatePaths(opts.stateFile)),
      loadInventory: inventoryLoader(opts),
    });
    return outcome.kind === 'stopped' ? outcome.code : 0;
  } finally {
    prompter.close();
  }
}

interface RegisterOptions extends ConnectionOptions, InventorySource {
  answers?: string;
  serverLed?: boolean;
  json?: boolean;
  peripherals: string;
  machine: boolean;
}

async function register(opts: RegisterOptions): Promise<number> {
  if (opts.serverLed) {
    if (opts.answers) throw new UsageError('--server-led asks in this terminal: it takes no --answers file');
    if (opts.json) throw new UsageError('--server-led is a dialogue in this terminal: it prints no --json');
    return interactive(opts, undefined, runServerLed);
  }
  if (!opts.answers) throw new UsageError('register needs --answers <file> (zero-touch), or --server-led (the server asks, in this terminal)');
  const answers = await loadAnswersFile(opts.answers);
  const inventory = await inventoryLoader(opts)();
  const outcome = await runScripted({
    client: makeClient(opts),
    paths: await resolveStatePaths(opts.stateFile),
    inventory,
    answers,
    peripherals: opts.peripherals,
    includeMachine: opts.machine,
    warn: say,
  });
  return printScripted(outcome, Boolean(opts.json));
}

interface RootOptions extends ConnectionOptions, InventorySource {
  firstBoot?: boolean;
  answers?: string;
  force?: boolean;
  json?: boolean;
  peripherals: string;
}

async function firstBoot(opts: RootOptions): Promise<number> {
  const paths = await resolveStatePaths(opts.stateFile);
  const answersFile = opts.answers;
  const interactiveTerminal = process.stdin.isTTY && process.stdout.isTTY;
  const prompter = !answersFile && interactiveTerminal ? new TerminalPrompter() : undefined;
  try {
    const result = await runFirstBoot({
      paths,
      force: Boolean(opts.force),
      server: opts.server,
      say,
      ...(answersFile
        ? {
            scripted: async () =>
              runScripted({
                client: makeClient(opts),
                paths,
                inventory: await inventoryLoader(opts)(),
                answers: await loadAnswersFile(answersFile),
                peripherals: opts.peripherals,
                includeMachine: true,
                warn: say,
              }),
          }
        : {}),
      ...(prompter
        ? {
            interactive: {
              prompter,
              run: () => runInteractive({ prompter, client: makeClient(opts), paths, loadInventory: inventoryLoader(opts) }),
            },
          }
        : {}),
    });
    if (result.kind === 'scripted') printScripted(result.outcome, Boolean(opts.json));
    return firstBootExitCode(result);
  } finally {
    prompter?.close();
  }
}

function buildProgram(setCode: (code: number) => void): Command {
  const program = new Command('clientele-agent')
    .description(
      'Registers this PC and its peripherals with Clientele, reading maker, model and serial numbers from the machine.\n' +
        'Without a command: the registration dialogue in this terminal.',
    )
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  addInventoryOptions(addConnectionOptions(program))
    .option('--first-boot', 'run once per machine (systemd unit, login hook): do nothing when the state file says it is registered')
    .option('--answers <file>', 'with --first-boot: register without asking, from this answers file')
    .option('--force', 'with --first-boot: run even if the state file says it is done')
    .option('--json', 'with --first-boot --answers: print the result as JSON')
    .addOption(new Option('--peripherals <list>', 'with --first-boot --answers: all, none or ids').default('all'))
    .addHelpText(
      'after',
      `\nFile formats: \`clientele-agent register --help\` describes the answers file (--answers) and the\n` +
        `inventory file (--from-file, what \`inventory --json\` prints); \`inventory --help\` the inventory file.\n` +
        `First boot: see the systemd unit in clients/pc-agent/README.md.\n${EXIT_HELP}`,
    )
    .action(async (opts: RootOptions) => setCode(opts.firstBoot ? await firstBoot(opts) : await interactive(opts)));

  addInventoryOptions(
    program
      .command('inventory')
      .description('show what this PC reports: its maker, model and serial, and its peripherals')
      .option('--json', 'print the inventory as JSON (the format --from-file reads)'),
  )
    .addHelpText('after', `\n${INVENTORY_HELP}`)
    .action(async (opts: InventorySource & { json?: boolean }) => {
      const inv = await inventoryLoader(opts)();
      process.stdout.write(`${opts.json ? inventoryJson(inv) : formatInventory(inv)}\n`);
      setCode(0);
    });

  addInventoryOptions(addConnectionOptions(program.command('interactive').description('the registration dialogue in this terminal'))).action(
    async (opts: ConnectionOptions & InventorySource) => setCode(await interactive(opts)),
  );

  addInventoryOptions(
    addConnectionOptions(
      program
        .command('register')
        .description('register without asking anything, from an answers file (zero-touch); or, with --server-led, in a dialogue the server leads')
        .option('--answers <file>', 'the answers file (format below)')
        .option('--server-led', 'a new registration in this terminal, asked question by question by the server (R-7; see below)')
        .option('--json', 'with --answers: print the result (or the error) as one JSON document on stdout')
        .option('--peripherals <list>', 'with --answers: which peripherals: all, none, or ids such as usb:1-2,block:sda', 'all')
        .option('--no-machine', 'with --answers: do not register the PC itself, only peripherals'),
    ),
  )
    .addHelpText(
      'after',
      `\nOn success prints {"registrationNumber": "1234-5678-90", "customerNumber": "…", "products": […]};\n` +
        `on refusal {"error": {"code", "message", "details"}} and exit code 1.\n\n${SERVER_LED_HELP}\n\n${ANSWERS_HELP}\n\n${INVENTORY_HELP}\n\n${EXIT_HELP}`,
    )
    .action(async (opts: RegisterOptions) => setCode(await register(opts)));
  return program;
}

/** Runs the agent; resolves to the exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  const wantsJson = argv.includes('--json');
  const fail = (exit: number, errorCode: string, message: string) => {
    if (wantsJson) process.stdout.write(`${JSON.stringify({ error: { code: errorCode, message } })}\n`);
    say(message);
    return exit;
  };
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CancelledError) {
      say('中止しました / Cancelled.');
      return 130;
    }
    if (err instanceof UsageError || err instanceof InventoryError) return fail(2, 'usage', err.message);
    if (err instanceof TypeError && /server URL/.test(err.message)) return fail(2, 'usage', err.message);
    if (err instanceof TransportError) return fail(2, 'network_error', err.message);
    if (err instanceof ApiError) return fail(1, err.code, `The server refused: ${err.message} (${err.code})`);
    say(`clientele-agent: ${(err as Error).stack ?? String(err)}`);
    return 2;
  }
}
