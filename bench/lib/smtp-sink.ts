import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface SinkProcess {
  url: string;
  count(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the counting SMTP sink in a child process. */
export async function startSinkProcess(): Promise<SinkProcess> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'smtp-sink.child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { type: string; port: number }) => (m.type === 'ready' ? resolve(m.port) : reject(new Error('sink failed'))));
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () =>
      new Promise((resolve) => {
        const onMessage = (m: { type: string; count: number }) => {
          if (m.type !== 'count') return;
          child.off('message', onMessage);
          resolve(m.count);
        };
        child.on('message', onMessage);
        child.send({ type: 'count' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}
