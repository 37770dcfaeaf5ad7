/**
 * A counting SMTP sink in its own process (so the benchmark's sender does not share an event
 * loop with it): accepts every message, counts it, reports the count to the parent on request.
 */
import { SMTPServer } from 'smtp-server';

let count = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 1000,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      count++;
      callback();
    });
  },
});
// Reply immediately: without this, delayed ACKs add ~40 ms to every SMTP round trip on loopback.
server.server.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as { port: number };
  process.send?.({ type: 'ready', port });
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'count') process.send?.({ type: 'count', count });
  if (m.type === 'stop') server.close(() => process.exit(0));
});
