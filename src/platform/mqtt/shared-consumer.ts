import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import type { FastifyBaseLogger } from 'fastify';

export interface SharedConsumerOptions {
  /** mqtt://user:password@host:port of the external broker (Mosquitto, EMQX…). */
  url: string;
  /** Stable per node: the broker keeps this node's session (and its unacknowledged messages) across restarts. */
  clientId: string;
  /** Nodes with the same group split the messages between them ($share/<group>/<topic>). */
  group: string;
  topic: string;
  /**
   * Handles one message; resolves 'ack' once it is durably processed (the PUBACK goes to the
   * broker only then) or 'retry' to leave it unacknowledged, so the broker sends it again.
   */
  handle(topic: string, payload: Buffer): Promise<'ack' | 'retry'>;
  /**
   * Messages the broker may have in flight to this node unacknowledged (MQTT 5 Receive
   * Maximum). Default: the protocol's maximum, so records wait in our ingest batches rather than
   * in the broker's queue for this client (see docs/benchmarks.md, appliances).
   */
  receiveMaximum?: number;
  sessionExpirySeconds?: number;
  logger?: FastifyBaseLogger;
}

/** mqtt.js's own packet writer; the public API has no way to acknowledge a message later. */
type PacketWriter = { _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }, cb?: () => void): void };

/**
 * Consumes a topic of an external broker through an MQTT 5 shared subscription, so several
 * Clientele nodes split the load, acknowledging each QoS 1 message only after the handler has
 * stored it. A node that dies with messages unacknowledged gets them again when its session
 * reconnects (clean start off, session expiry below); the handler must be idempotent.
 *
 * mqtt.js acknowledges a message when `handleMessage` calls back, and reads the next packet
 * only then. Calling back at once with a marker error lets it read on without acknowledging;
 * the PUBACK is written when the handler resolves — on the same connection only, since a
 * message id means nothing on the next one.
 */
export class SharedSubscriptionConsumer {
  private client: MqttClient | null = null;
  private generation = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  received = 0;

  constructor(private readonly opts: SharedConsumerOptions) {}

  get filter(): string {
    return `$share/${this.opts.group}/${this.opts.topic}`;
  }

  async start(): Promise<void> {
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId: this.opts.clientId,
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      properties: {
        sessionExpiryInterval: this.opts.sessionExpirySeconds ?? 3600,
        receiveMaximum: this.opts.receiveMaximum ?? 65_535,
      },
      resubscribe: true,
    };
    // Loaded when a consumer starts, not with every CLI command (~200 ms of start-up).
    const { connect } = await import('mqtt');
    const client = connect(this.opts.url, options);
    this.client = client;
    client.on('connect', () => {
      this.generation++;
    });
    client.on('error', (err) => this.opts.logger?.warn({ err }, 'mqtt consumer error'));
    client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
      this.received++;
      if (packet.qos === 0) {
        void this.opts.handle(packet.topic, packet.payload as Buffer).catch(() => undefined);
        callback();
        return;
      }
      const generation = this.generation;
      const messageId = packet.messageId!;
      this.opts.handle(packet.topic, packet.payload as Buffer).then(
        (result) => {
          if (result === 'ack') this.ack(generation, messageId);
          else this.redeliverLater();
        },
        (err: unknown) => {
          this.opts.logger?.error({ err }, 'mqtt message handler failed');
          this.redeliverLater();
        },
      );
      callback(DEFERRED);
    };
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        client.off('connect', onConnect);
        reject(err);
      };
      const onConnect = () => {
        client.off('error', onError);
        resolve();
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
    await client.subscribeAsync(this.filter, { qos: 1 });
  }

  private ack(generation: number, messageId: number): void {
    const client = this.client;
    if (!client || !client.connected || generation !== this.generation) return; // the broker sends it again
    (client as unknown as PacketWriter)._sendPacket({ cmd: 'puback', messageId, reasonCode: 0 });
  }

  /**
   * The broker resends unacknowledged messages only when the session reconnects (MQTT 5
   * forbids resending otherwise), so after a failure the connection is renewed a little later.
   */
  private redeliverLater(): void {
    if (this.retryTimer || this.stopping) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopping || !this.client) return;
      this.opts.logger?.warn('reconnecting to the MQTT broker to have unacknowledged messages sent again');
      this.client.end(true, {}, () => this.client?.reconnect());
    }, 3000);
  }

  publish(topic: string, payload: string | Buffer, options: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    if (!this.client) return Promise.reject(new Error('not started'));
    return this.client.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false }).then(() => undefined);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync(false).catch(() => undefined);
  }
}

const DEFERRED = Object.assign(new Error('acknowledged later'), { deferred: true });
