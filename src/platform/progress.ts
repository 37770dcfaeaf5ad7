import cliProgress from 'cli-progress';

export interface Progress {
  increment(n?: number): void;
  setTotal(total: number): void;
  /** Ends the bar; once is enough, a second call does nothing. */
  stop(): void;
}

/**
 * A progress bar on stderr for long CLI work. When stderr is not a terminal (CI, pipes) it
 * prints a line every 10% instead of redrawing.
 */
export function progressBar(label: string, total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    let value = 0;
    let max = total;
    bar.start(total, 0, { rate: 0 });
    return {
      increment(n = 1) {
        value += n;
        if (value > max) bar.setTotal((max = value));
        bar.update(value, { rate: Math.round(value / Math.max((Date.now() - started) / 1000, 0.001)) });
      },
      setTotal: (t) => bar.setTotal((max = t)),
      stop: () => {
        if (bar.isActive) bar.stop();
      },
    };
  }
  let value = 0;
  let nextReport = 0.1;
  let max = total;
  return {
    increment(n = 1) {
      value += n;
      // A total counted ahead (lines of a file) can be short: never report more than 100 %.
      if (value > max) max = value;
      if (max > 0 && value / max >= nextReport) {
        process.stderr.write(`${label}: ${value}/${max} (${Math.floor((value / max) * 100)}%)\n`);
        while (value / max >= nextReport) nextReport += 0.1;
      }
    },
    setTotal: (t) => {
      max = t;
    },
    stop: () => undefined,
  };
}
