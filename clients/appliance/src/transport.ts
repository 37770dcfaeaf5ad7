import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { errorsTopic, recordsTopic, stateTopic, type ApplianceRecord, type RecordError, type ServerState } from './protocol.js';

export interface TransportEvents {
  state(state: ServerState): void;
  error(error: RecordError): void;
  online(online: boolean): void;
}

/** How a record fared: the server has it (MQTT: PUBACK; HTTP: stored or duplicate), or refused it. */
export type SendResult = { ok: true } | { ok: false; error: RecordError };

export interface Transport {
  /** Records sent at once before waiting for acknowledgements. */
  readonly window: number;
  start(events: TransportEvents): Promise<void>;
  /** Resolves when the server acknowledged the records (in order); rejects when they must be sent again later. */
  send(records: ApplianceRecord[]): Promise<SendResult[]>;
  readonly online: boolean;
  stop(): Promise<void>;
}

export interface Credentials {
  manufacturingNumber: string;
  secret: string;
}

/**
 * MQTT (the default): publishes each record at QoS 1 to its records topic and counts it as
 * delivered on PUBACK, which Clientele sends only after storing it. State and errors arrive on
 * the appliance's own topics. mqtt.js keeps unacknowledged publishes and sends them again
 * after a reconnect; the appliance's own queue covers restarts.
 */
export class MqttTransport implements Transport {
  private client: MqttClient | null = null;
  readonly window: number;

  constructor(
    private readonly url: string,
    private readonly credentials: Credentials,
    private readonly options: { window?: number; mqtt?: IClientOptions } = {},
  ) {
    this.window = options.window ?? 20;
  }

  get online(): boolean {
    return this.client?.connected ?? false;
  }

  start(events: TransportEvents): Promise<void> {
    const { manufacturingNumber: mfg, secret } = this.credentials;
    const client = mqtt.connect(this.url, {
      clientId: `appliance-${mfg}`,
      username: mfg,
      password: secret,
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 2000,
      connectTimeout: 15_000,
      ...this.options.mqtt,
    });
    this.client = client;
    client.on('message', (topic, payload) => {
      try {
        const body = JSON.parse(payload.toString('utf8')) as unknown;
        if (topic === stateTopic(mfg)) events.state(body as ServerState);
        else if (topic === errorsTopic(mfg)) events.error(body as RecordError);
      } catch {
        /* not ours to understand */
      }
    });
    client.on('connect', () => {
      events.online(true);
      // Subscribing on every connect: the server answers with the current state.
      client.subscribe([stateTopic(mfg), errorsTopic(mfg)], { qos: 1 }, () => undefined);
    });
    client.on('close', () => events.online(false));
    client.on('error', () => undefined); // reconnects by itself; bad credentials show as staying offline
    return new Promise((resolve) => {
      if (client.connected) resolve();
      client.once('connect', () => resolve());
      // Offline at start is fine: records wait in the queue and go out once connected.
      client.once('close', () => resolve());
      setTimeout(resolve, 3000).unref();
    });
  }

  async send(records: ApplianceRecord[]): Promise<SendResult[]> {
    const client = this.client;
    if (!client?.connected) throw new Error('offline');
    const topic = recordsTopic(this.credentials.manufacturingNumber);
    // A window of records leaves in one write, not one per record.
    const stream = client.stream as { cork?: () => void; uncork?: () => void } | undefined;
    stream?.cork?.();
    const acks = records.map((r) => client.publishAsync(topic, JSON.stringify(r), { qos: 1 }));
    process.nextTick(() => stream?.uncork?.());
    await Promise.all(acks);
    return records.map(() => ({ ok: true as const }));
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync(true).catch(() => undefined);
  }
}

/**
 * HTTP: the ingest surface's `POST /api/appliances/{manufacturingNumber}/records` with HTTP
 * Basic (manufacturing number : secret). Each answer carries every record's result and the
 * appliance's state; while idle the state is polled.
 */
export class HttpTransport implements Transport {
  readonly window: number;
  private events: TransportEvents | null = null;
  private isOnline = false;
  private poll: NodeJS.Timeout | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly credentials: Credentials,
    private readonly options: { window?: number; pollSeconds?: number } = {},
  ) {
    this.window = options.window ?? 100;
  }

  get online(): boolean {
    return this.isOnline;
  }

  private get auth() {
    return `Basic ${Buffer.from(`${this.credentials.manufacturingNumber}:${this.credentials.secret}`).toString('base64')}`;
  }

  private url(suffix: string) {
    return `${this.baseUrl.replace(/\/$/, '')}/api/appliances/${encodeURIComponent(this.credentials.manufacturingNumber)}/${suffix}`;
  }

  private setOnline(v: boolean) {
    if (v !== this.isOnline) {
      this.isOnline = v;
      this.events?.online(v);
    }
  }

  async start(events: TransportEvents): Promise<void> {
    this.events = events;
    await this.refreshState();
    this.poll = setInterval(() => void this.refreshState(), (this.options.pollSeconds ?? 60) * 1000);
    this.poll.unref();
  }

  private async refreshState(): Promise<void> {
    try {
      const res = await fetch(this.url('state'), { headers: { authorization: this.auth } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.setOnline(true);
      this.events?.state((await res.json()) as ServerState);
    } catch {
      this.setOnline(false);
    }
  }

  async send(records: ApplianceRecord[]): Promise<SendResult[]> {
    let res: Response;
    try {
      res = await fetch(this.url('records'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: this.auth },
        body: JSON.stringify(records),
      });
    } catch (err) {
      this.setOnline(false);
      throw err;
    }
    if (!res.ok) {
      this.setOnline(res.status < 500);
      throw new Error(`HTTP ${res.status}`);
    }
    this.setOnline(true);
    const body = (await res.json()) as { results: { status: string; error?: RecordError }[]; state: ServerState };
    this.events?.state(body.state);
    return body.results.map((r) => (r.status === 'rejected' && r.error ? { ok: false as const, error: r.error } : { ok: true as const }));
  }

  async stop(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }
}
