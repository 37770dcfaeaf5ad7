import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';

function tmux(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-u', ...args], { env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } }, (err, stdout, stderr) =>
      err ? reject(new Error(`tmux ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A program running in a real pseudo-terminal (a detached tmux session), driven by keystrokes
 * and read back from the screen, as a person would use it.
 */
export class TmuxSession {
  readonly name = `agent-${randomBytes(4).toString('hex')}`;
  private offset = 0;

  /** Starts `command` (argv); the pane stays after it exits and shows `[exit N]`. */
  async start(command: string[], env: Record<string, string> = {}): Promise<void> {
    const assignments = Object.entries({ LANG: 'C.UTF-8', ...env }).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const line = `env ${assignments.join(' ')} ${command.map(shellQuote).join(' ')}; echo "[exit $?]"; sleep 600`;
    await tmux(['new-session', '-d', '-s', this.name, '-x', '220', '-y', '50', line]);
  }

  /** Everything on screen and in the scrollback. */
  screen(): Promise<string> {
    return tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', this.name]);
  }

  /** Types text and presses Enter. `-l` sends the text literally (no key names). */
  async type(text: string): Promise<void> {
    if (text) await tmux(['send-keys', '-t', this.name, '-l', text]);
    await tmux(['send-keys', '-t', this.name, 'Enter']);
  }

  /**
   * Waits until `pattern` appears after everything already waited for, so a prompt asked twice
   * is matched the second time.
   */
  async waitFor(pattern: string | RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = await this.screen();
      const rest = last.slice(this.offset);
      const index = typeof pattern === 'string' ? rest.indexOf(pattern) : rest.search(pattern);
      if (index >= 0) {
        const match = typeof pattern === 'string' ? pattern : (rest.match(pattern)?.[0] ?? '');
        this.offset += index + match.length;
        return last;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; the screen:\n${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async kill(): Promise<void> {
    await tmux(['kill-session', '-t', this.name]).catch(() => undefined);
  }
}
