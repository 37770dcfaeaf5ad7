import net from 'node:net';
import type { AuthenticateError, Client } from 'aedes';
import type { FastifyBaseLogger } from 'fastify';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Checks a client's credentials; resolves to the principal (e.g. a manufacturing number) or null. */
  authenticate(username: string, password: string, clientId: string): Promise<string | null>;
  /**
   * Decides on a publish. Resolves when the broker may acknowledge it (PUBACK for QoS 1 is
   * sent only then — an ingest can make it wait until the message is stored); throws to
   * refuse it, which disconnects the client without an acknowledgement.
   */
  authorizePublish(principal: string, topic: string, payload: Buffer): Promise<void>;
  /** May this principal subscribe to this topic filter? */
  authorizeSubscribe(principal: string, topic: string): boolean;
  /** After a granted subscription (e.g. to send the current state). */
  subscribed?(principal: string, topic: string): void;
  logger?: FastifyBaseLogger;
}

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  /** Publishes from the server side (bypasses authorisation). */
  publish(topic: string, payload: string | Buffer, options?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  connectedClients(): number;
  close(): Promise<void>;
}

const BAD_CREDENTIALS = 4;

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * An MQTT broker inside the Clientele process (aedes, in-memory), for a single node or a
 * development machine: no broker to install. Every client authenticates; what it may publish
 * and subscribe to is decided by the caller's hooks.
 */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const principals = new WeakMap<Client, string>();
  // A committed batch acknowledges many messages at once, several per connection: their PUBACKs
  // are written together (one system call per connection, not per message).
  const corked = new Set<net.Socket>();
  const uncorkAll = () => {
    for (const s of corked) s.uncork();
    corked.clear();
  };
  const cork = (client: Client) => {
    const socket = client.conn as net.Socket;
    if (typeof socket.cork !== 'function' || corked.has(socket)) return;
    if (corked.size === 0) setImmediate(uncorkAll);
    socket.cork();
    corked.add(socket);
  };
  // Loaded when the broker starts, not with every CLI command.
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({
    // Appliances keep few messages in flight; the default queue limit for packets that arrive
    // before CONNACK (42) is plenty. The in-process emitter's concurrency is set above any
    // realistic number of messages in flight: past it mqemitter queues messages and drains the
    // queue recursively, which overflows the stack with thousands of devices.
    concurrency: 100_000,
    heartbeatInterval: 60_000,
    authenticate: (client, username, password, done) => {
      if (!username || !password) return done(authError('credentials required', BAD_CREDENTIALS), false);
      opts.authenticate(username, password.toString('utf8'), client.id).then(
        (principal) => {
          if (!principal) return done(authError('bad username or password', BAD_CREDENTIALS), false);
          principals.set(client, principal);
          done(null, true);
        },
        (err: unknown) => {
          opts.logger?.error({ err }, 'mqtt authentication failed');
          done(authError('server unavailable', 3), false);
        },
      );
    },
    authorizePublish: (client, packet, done) => {
      const principal = client ? principals.get(client) : undefined;
      if (!principal) return done(new Error('not authorised'));
      if (packet.topic.startsWith('$')) return done(new Error('not authorised'));
      packet.retain = false; // clients never leave retained messages behind
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      opts.authorizePublish(principal, packet.topic, payload).then(
        () => {
          if (client) cork(client);
          done(null);
        },
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
    },
    authorizeSubscribe: (client, subscription, done) => {
      const principal = principals.get(client);
      // A refused subscription is a SUBACK with 128 (failure); the connection stays.
      if (!principal || !opts.authorizeSubscribe(principal, subscription.topic)) return done(null, null);
      done(null, subscription);
    },
  });
  broker.on('subscribe', (subscriptions, client) => {
    const principal = client ? principals.get(client) : undefined;
    if (!principal || !opts.subscribed) return;
    for (const s of subscriptions) opts.subscribed(principal, s.topic);
  });
  broker.on('clientError', (client, err) => opts.logger?.debug({ err, clientId: client.id }, 'mqtt client error'));

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    host: opts.host,
    port,
    publish: (topic, payload, options = {}) =>
      new Promise<void>((resolve, reject) =>
        broker.publish(
          { cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: options.qos ?? 1, retain: options.retain ?? false, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      ),
    connectedClients: () => broker.connectedClients,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
