import dgram from 'node:dgram';
import type { IcCard } from './protocol.js';

/**
 * Appliances of one home share the card info they read (A-4, [0087]), so a new appliance can
 * register without its own card read.
 */
export interface HomeNetwork {
  announce(from: string, card: IcCard): void;
  /** The latest card read by another appliance of the home. */
  lookup(self: string): { from: string; card: IcCard } | null;
  close?(): void;
}

/** One home in one process (the simulator and tests). */
export class LocalHomeNetwork implements HomeNetwork {
  private latest: { from: string; card: IcCard } | null = null;
  announce(from: string, card: IcCard): void {
    this.latest = { from, card };
  }
  lookup(self: string): { from: string; card: IcCard } | null {
    return this.latest && this.latest.from !== self ? this.latest : null;
  }
}

/**
 * The home LAN: each announcement is a UDP broadcast (JSON) on a fixed port; every appliance
 * listening keeps the latest one. Nothing leaves the home network, and the server never sees
 * this traffic (the first-use record says where the card info came from).
 */
export class UdpHomeNetwork implements HomeNetwork {
  private latest: { from: string; card: IcCard } | null = null;
  private readonly socket: dgram.Socket;

  constructor(
    private readonly options: { port?: number; broadcastAddress?: string; home: string } = { home: 'home' },
  ) {
    this.socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    this.socket.on('message', (msg) => {
      try {
        const m = JSON.parse(msg.toString('utf8')) as { home?: string; from?: string; card?: IcCard };
        if (m.home === this.options.home && typeof m.from === 'string' && m.card && typeof m.card.number === 'string') this.latest = { from: m.from, card: m.card };
      } catch {
        /* not ours */
      }
    });
    this.socket.on('error', () => undefined);
    this.socket.bind(options.port ?? 47_470, () => this.socket.setBroadcast(true));
  }

  announce(from: string, card: IcCard): void {
    this.latest = { from, card };
    const msg = Buffer.from(JSON.stringify({ home: this.options.home, from, card }));
    this.socket.send(msg, this.options.port ?? 47_470, this.options.broadcastAddress ?? '255.255.255.255');
  }

  lookup(self: string): { from: string; card: IcCard } | null {
    return this.latest && this.latest.from !== self ? this.latest : null;
  }

  close(): void {
    this.socket.close();
  }
}
