import { readState, writeState, type StatePaths } from './pending-store.js';
import type { DialogueOutcome } from './interactive.js';
import type { ScriptedOutcome } from './scripted.js';
import { confirm, type Prompter } from './terminal.js';

export interface FirstBootOptions {
  paths: StatePaths;
  force: boolean;
  server: string;
  /** Zero-touch: set when an answers file was given. */
  scripted?: () => Promise<ScriptedOutcome>;
  /** Set when a person is at a terminal. */
  interactive?: { prompter: Prompter; run: () => Promise<DialogueOutcome> };
  /** Where to say why nothing can be done (no terminal and no answers). */
  say: (line: string) => void;
}

export type FirstBootResult =
  | { kind: 'done-before' }
  | { kind: 'scripted'; outcome: ScriptedOutcome }
  | { kind: 'interactive'; outcome: DialogueOutcome }
  | { kind: 'postponed' }
  | { kind: 'declined' }
  | { kind: 'no-way-to-ask' };

/** The exit code of a first-boot run. Only failures a person should look at are non-zero. */
export function firstBootExitCode(result: FirstBootResult): number {
  switch (result.kind) {
    case 'scripted':
      return result.outcome.code;
    case 'interactive':
      return result.outcome.kind === 'stopped' ? result.outcome.code : 0;
    case 'no-way-to-ask':
      return 2;
    default:
      return 0;
  }
}

/**
 * run once per machine. A state file that says the PC is registered (or that the customer
 * said "don't ask again") ends the run at once and silently; otherwise the registration runs,
 * scripted when answers were given, as a dialogue when someone is at the terminal.
 */
export async function runFirstBoot(opts: FirstBootOptions): Promise<FirstBootResult> {
  const state = await readState(opts.paths).catch(() => null);
  if (!opts.force && (state?.registered || state?.declinedAt)) return { kind: 'done-before' };

  if (opts.scripted) return { kind: 'scripted', outcome: await opts.scripted() };

  if (!opts.interactive) {
    opts.say(
      'clientele-agent: this PC is not registered yet, and there is no terminal to ask on and no --answers file. ' +
        'Run `clientele-agent` in a terminal to register it.',
    );
    return { kind: 'no-way-to-ask' };
  }

  const p = opts.interactive.prompter;
  p.say('');
  p.say('ようこそ。このPCと接続機器を製品登録しましょう（シリアル番号の入力は不要です）。');
  p.say('Welcome. Let’s register this PC and its devices — no serial numbers to type.');
  if (!(await confirm(p, '今すぐ登録しますか？ / Register now?', true))) {
    if (await confirm(p, '次回の起動時にもう一度お聞きしますか？ / Ask again next time?', true)) return { kind: 'postponed' };
    await writeState(opts.paths, { ...(state ?? {}), registered: false, declinedAt: new Date().toISOString() }).catch(() => undefined);
    p.say('わかりました。登録はいつでも `clientele-agent` で行えます。/ Fine: register any time with `clientele-agent`.');
    return { kind: 'declined' };
  }
  const outcome = await opts.interactive.run();
  if (outcome.kind === 'updated') {
    // This PC's serial opened the customer's account: it is registered, the update flow said so.
    const c = outcome.customer;
    await writeState(opts.paths, {
      ...(state ?? {}),
      registered: true,
      registrationNo: c.registrationNo,
      registrationNoFormatted: c.registrationNoFormatted,
      customerNumber: c.customerNumber,
      registeredAt: state?.registeredAt ?? new Date().toISOString(),
      server: opts.server,
    }).catch(() => undefined);
  }
  return { kind: 'interactive', outcome };
}
