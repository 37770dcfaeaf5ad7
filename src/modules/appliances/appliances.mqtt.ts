import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../platform/mqtt/embedded-broker.js';
import { SharedSubscriptionConsumer } from '../../platform/mqtt/shared-consumer.js';
import { canonicalNumber } from './appliance-record.js';
import type { DeviceAuthenticator } from './device-auth.js';
import type { ApplianceState, UsageIngestService } from './usage-ingest.service.js';

/** The MQTT contract (docs/appliances.md). */
export const TOPIC_PREFIX = 'clientele/appliances';
export const recordsTopic = (mfg: string) => `${TOPIC_PREFIX}/${mfg}/records`;
export const stateTopic = (mfg: string) => `${TOPIC_PREFIX}/${mfg}/state`;
export const errorsTopic = (mfg: string) => `${TOPIC_PREFIX}/${mfg}/errors`;
const RECORDS = /^clientele\/appliances\/([^/#+]{1,64})\/records$/;

export interface MqttStatus {
  mode: 'embedded' | 'external' | 'off';
  /** mqtt://host:port of the embedded broker, or the external broker without credentials. */
  address: string | null;
}

export interface ApplianceMqttOptions {
  /** Overrides of the consumer's client id (tests run two "nodes" in one process). */
  clientId?: string;
}

/**
 * Connects appliances to the ingest over MQTT. Without MQTT_URL an embedded broker (aedes)
 * runs in the process: devices log in with manufacturing number and secret, may publish only
 * to their own records topic and read only their own state and errors topics; a record is
 * handed to the ingest inside the broker's publish authorisation, so the PUBACK leaves only
 * after the record is committed. With MQTT_URL the node consumes
 * `$share/<group>/clientele/appliances/+/records` from the external broker and acknowledges
 * each message after it is committed.
 */
export class ApplianceMqtt {
  private broker: EmbeddedBroker | null = null;
  private consumer: SharedSubscriptionConsumer | null = null;
  private unobserve: (() => void) | null = null;
  private pendingStates = new Set<string>();
  private stateTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: Config['mqtt'],
    private readonly ingest: UsageIngestService,
    private readonly deviceAuth: DeviceAuthenticator,
    private readonly logger?: FastifyBaseLogger,
  ) {}

  status(): MqttStatus {
    if (this.broker) return { mode: 'embedded', address: `mqtt://${this.broker.host}:${this.broker.port}` };
    if (this.consumer) {
      const u = new URL(this.config.url!);
      return { mode: 'external', address: `${u.protocol}//${u.host}` };
    }
    return { mode: 'off', address: null };
  }

  async start(options: ApplianceMqttOptions = {}): Promise<MqttStatus> {
    if (this.broker || this.consumer) return this.status();
    this.unobserve = this.ingest.observe({
      state: (mfg, state) => this.send(stateTopic(mfg), state, true),
      error: (mfg, error) => this.send(errorsTopic(mfg), error, false),
    });
    if (this.config.url) {
      this.consumer = new SharedSubscriptionConsumer({
        url: this.config.url,
        clientId: options.clientId ?? `clientele-${this.config.shareGroup}-${os.hostname()}`.slice(0, 64),
        group: this.config.shareGroup,
        topic: `${TOPIC_PREFIX}/+/records`,
        handle: async (topic, payload) => {
          const m = RECORDS.exec(topic);
          if (!m) return 'ack';
          const outcome = await this.ingest.submit(m[1]!, payload);
          return outcome.status === 'failed' ? 'retry' : 'ack';
        },
        ...(this.logger ? { logger: this.logger } : {}),
      });
      await this.consumer.start();
    } else {
      this.broker = await startEmbeddedBroker({
        host: this.config.host,
        port: this.config.port,
        authenticate: (username, password) => this.deviceAuth.verify(username, password),
        authorizePublish: async (mfg, topic, payload) => {
          if (topic !== recordsTopic(mfg)) throw new Error(`${mfg} may not publish to ${topic}`);
          const outcome = await this.ingest.submit(mfg, payload);
          // Not stored and not refused: no PUBACK; the appliance sends it again after reconnecting.
          if (outcome.status === 'failed') throw new Error('record not stored; try again');
        },
        authorizeSubscribe: (mfg, topic) => topic === stateTopic(mfg) || topic === errorsTopic(mfg),
        // The broker keeps retained state only in memory: after a restart (or on another node)
        // the database answers, so a (re)subscribing appliance always learns its state.
        subscribed: (mfg, topic) => {
          if (topic === stateTopic(mfg)) this.queueState(mfg);
        },
        ...(this.logger ? { logger: this.logger } : {}),
      });
    }
    return this.status();
  }

  /** Current states of subscribing appliances, looked up together (a reconnect storm is one query per batch). */
  private queueState(mfg: string): void {
    this.pendingStates.add(canonicalNumber(mfg));
    this.stateTimer ??= setTimeout(() => {
      this.stateTimer = null;
      const mfgs = [...this.pendingStates];
      this.pendingStates.clear();
      for (let i = 0; i < mfgs.length; i += 1000) {
        void this.ingest.announceStates(mfgs.slice(i, i + 1000)).catch((err: unknown) => this.logger?.error({ err }, 'could not look up appliance states'));
      }
    }, 20);
  }

  private send(topic: string, body: ApplianceState | object, retain: boolean): void {
    const payload = JSON.stringify(body);
    // The embedded broker keeps no retained state: a subscribing appliance gets its state from
    // the database (see `subscribed`), and aedes would otherwise scan every retained message on
    // every subscription — quadratic in the number of appliances when they all reconnect.
    const done = this.broker
      ? this.broker.publish(topic, payload, { qos: 1, retain: false })
      : this.consumer
        ? this.consumer.publish(topic, payload, { qos: 1, retain })
        : Promise.resolve();
    void done.catch((err: unknown) => this.logger?.warn({ err, topic }, 'could not publish to an appliance'));
  }

  /** Messages this node received from the external broker (its share of the load). */
  received(): number {
    return this.consumer?.received ?? 0;
  }

  /** How many devices are connected to the embedded broker (0 with an external one). */
  connectedClients(): number {
    return this.broker?.connectedClients() ?? 0;
  }

  async stop(): Promise<void> {
    if (this.stateTimer) clearTimeout(this.stateTimer);
    this.stateTimer = null;
    // Records being written still get their acknowledgement before the connections close.
    await this.ingest.drain();
    await this.broker?.close();
    await this.consumer?.stop();
    this.broker = null;
    this.consumer = null;
    this.unobserve?.();
    this.unobserve = null;
  }
}
