/**
 * The fleet simulator as a child process of the appliances benchmark, so the appliances'
 * MQTT clients do not share an event loop with the broker and the ingest they are measured
 * against. Talks to the parent over IPC:
 *   parent → {cmd:'start', planFile, url, pace, window, preRegistered, lastSeq}   child → {type:'ready', stats}
 *   parent → {cmd:'go'}                                                             child → {type:'stats', stats} every second
 *   parent → {cmd:'stop'}                                                           child → {type:'stopped', stats}, exits
 */
import { readFile } from 'node:fs/promises';
import { startLiveFleet, type FleetPlan, type LiveFleet } from '../../clients/appliance/src/simulator.js';

interface StartCommand {
  cmd: 'start';
  planFile: string;
  url: string;
  pace: 'max' | number;
  window: number;
  preRegistered: boolean;
  lastSeq?: number;
}

let fleet: LiveFleet | null = null;
let ticker: NodeJS.Timeout | null = null;
const send = (m: object) => process.send?.(m);

process.on('message', (m: StartCommand | { cmd: 'go' } | { cmd: 'stop' }) => {
  void (async () => {
    if (m.cmd === 'start') {
      const plan = JSON.parse(await readFile(m.planFile, 'utf8')) as FleetPlan;
      fleet = await startLiveFleet({
        plan,
        url: m.url,
        pace: m.pace,
        window: m.window,
        preRegistered: m.preRegistered,
        ...(m.lastSeq !== undefined ? { lastSeq: m.lastSeq } : {}),
        connectConcurrency: 250,
        onProgress: (stats) => send({ type: 'progress', stats }),
      });
      // Wait until every appliance is registered (or was before).
      const deadline = Date.now() + 600_000;
      while (!m.preRegistered && fleet.stats().registered < plan.appliances.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        send({ type: 'progress', stats: fleet.stats() });
      }
      send({ type: 'ready', stats: fleet.stats() });
    } else if (m.cmd === 'go') {
      fleet?.go();
      ticker = setInterval(() => fleet && send({ type: 'stats', stats: fleet.stats() }), 1000);
    } else if (m.cmd === 'stop') {
      if (ticker) clearInterval(ticker);
      const stats = fleet?.stats();
      await fleet?.stop();
      send({ type: 'stopped', stats });
      setTimeout(() => process.exit(0), 100);
    }
  })().catch((err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });
});
send({ type: 'hello' });
