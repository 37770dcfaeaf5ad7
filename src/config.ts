import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * Every setting Clientele reads from the environment. This module is the only reader of
 * process.env; everything else receives a validated Config.
 */
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Host = Type.String({ minLength: 1 });

const EnvSchema = Type.Object({
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  CLIENTELE_DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  CLIENTELE_PG_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 54329 }),
  CLIENTELE_PG_SHARED_BUFFERS_MB: Type.Optional(Type.Integer({ minimum: 16, maximum: 1_048_576 })),
  CLIENTELE_CONSOLE_HOST: Type.Optional(Host),
  CLIENTELE_CONSOLE_PORT: Type.Optional(Port),
  CLIENTELE_PORTAL_HOST: Type.Optional(Host),
  CLIENTELE_PORTAL_PORT: Type.Optional(Port),
  CLIENTELE_PARTNER_HOST: Type.Optional(Host),
  CLIENTELE_PARTNER_PORT: Type.Optional(Port),
  CLIENTELE_INGEST_HOST: Type.Optional(Host),
  CLIENTELE_INGEST_PORT: Type.Optional(Port),
  CLIENTELE_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  CLIENTELE_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  CLIENTELE_TRUST_PROXY: Type.Boolean({ default: false }),
  CLIENTELE_SECURE_COOKIES: Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')], {
    default: 'auto',
  }),
  CLIENTELE_SESSION_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 90, default: 12 }),
  CLIENTELE_LOGIN_MAX_FAILURES_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 5 }),
  CLIENTELE_LOGIN_MAX_FAILURES_PER_IP: Type.Integer({ minimum: 1, default: 30 }),
  CLIENTELE_LOGIN_WINDOW_MINUTES: Type.Number({ exclusiveMinimum: 0, default: 15 }),
  CLIENTELE_DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  CLIENTELE_MAIL_FROM: Type.String({ minLength: 3, default: 'Clientele <no-reply@clientele.localhost>' }),
  CLIENTELE_SMTP_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  CLIENTELE_PORTAL_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  CLIENTELE_SEND_WORKERS: Type.Integer({ minimum: 1, maximum: 32, default: 4 }),
  CLIENTELE_SEND_CHUNK_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }),
  CLIENTELE_MQTT_HOST: Type.Optional(Host),
  CLIENTELE_MQTT_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
  MQTT_URL: Type.Optional(Type.String({ pattern: '^(mqtts?|wss?|tcp)://' })),
  CLIENTELE_MQTT_SHARE_GROUP: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', default: 'clientele' }),
});

export type SurfaceName = 'console' | 'portal' | 'partner' | 'ingest';
export const SURFACES: readonly SurfaceName[] = ['console', 'portal', 'partner', 'ingest'];
const DEFAULT_PORTS: Record<SurfaceName, number> = { console: 3000, portal: 3001, partner: 3002, ingest: 3003 };

export interface SurfaceConfig {
  host: string;
  port: number;
}

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  /** shared_buffers of the embedded PostgreSQL; unset: sized to the machine (embedded.ts). */
  embeddedPgSharedBuffersMb: number | undefined;
  surfaces: Record<SurfaceName, SurfaceConfig>;
  logLevel: string;
  trustProxy: boolean;
  secureCookies: 'auto' | 'always' | 'never';
  sessionTtlMs: number;
  loginThrottle: { maxFailuresPerAccount: number; maxFailuresPerIp: number; windowMs: number };
  dbPoolSize: number;
  mail: {
    /** SMTP server; without it e-mails are written as .eml files to <dataDir>/outbox. */
    smtpUrl: string | undefined;
    from: string;
    connections: number;
    /** Base URL customers reach the portal at (unsubscribe links). */
    portalPublicUrl: string;
    sendWorkers: number;
    /** Messages per delivery job. */
    chunkSize: number;
  };
  mqtt: {
    /** Embedded broker (aedes) address, used when no external broker is configured. */
    host: string;
    port: number;
    /** An external broker (Mosquitto, EMQX…); with it, no embedded broker runs. */
    url: string | undefined;
    /** Shared-subscription group the Clientele nodes consuming an external broker share. */
    shareGroup: string;
  };
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false };

/** Reads and validates the environment once; a bad value throws ConfigError naming the setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(EnvSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    const kind = (schema as { type?: string }).type;
    if (kind === 'integer' || kind === 'number') {
      const n = Number(value);
      raw[key] = Number.isFinite(n) && value.trim() !== '' ? n : value;
    } else if (kind === 'boolean') {
      raw[key] = BOOLEAN_WORDS[value.toLowerCase()] ?? value;
    } else {
      raw[key] = value;
    }
  }
  const withDefaults = Value.Default(EnvSchema, raw);
  const firstError = Value.Errors(EnvSchema, withDefaults).First();
  if (firstError) {
    const setting = firstError.path.replace(/^\//, '') || 'environment';
    const given = env[setting];
    throw new ConfigError(setting, `${firstError.message}${given !== undefined ? ` (got "${given}")` : ''}`);
  }
  const e = withDefaults as Static<typeof EnvSchema>;
  const surface = (name: SurfaceName): SurfaceConfig => {
    const upper = name.toUpperCase();
    return {
      host: (e[`CLIENTELE_${upper}_HOST` as keyof typeof e] as string | undefined) ?? e.CLIENTELE_HOST,
      port: (e[`CLIENTELE_${upper}_PORT` as keyof typeof e] as number | undefined) ?? DEFAULT_PORTS[name],
    };
  };
  const surfaces = Object.fromEntries(SURFACES.map((s) => [s, surface(s)])) as Record<SurfaceName, SurfaceConfig>;
  const taken = new Map<number, SurfaceName>();
  for (const s of SURFACES) {
    const { port } = surfaces[s];
    const other = taken.get(port);
    if (port !== 0 && other) {
      throw new ConfigError(`CLIENTELE_${s.toUpperCase()}_PORT`, `uses port ${port}, already taken by the ${other} surface`);
    }
    taken.set(port, s);
  }
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.CLIENTELE_DATA_DIR),
    embeddedPgPort: e.CLIENTELE_PG_PORT,
    embeddedPgSharedBuffersMb: e.CLIENTELE_PG_SHARED_BUFFERS_MB,
    surfaces,
    logLevel: e.CLIENTELE_LOG_LEVEL,
    trustProxy: e.CLIENTELE_TRUST_PROXY,
    secureCookies: e.CLIENTELE_SECURE_COOKIES,
    sessionTtlMs: e.CLIENTELE_SESSION_TTL_HOURS * 3600_000,
    loginThrottle: {
      maxFailuresPerAccount: e.CLIENTELE_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerIp: e.CLIENTELE_LOGIN_MAX_FAILURES_PER_IP,
      windowMs: e.CLIENTELE_LOGIN_WINDOW_MINUTES * 60_000,
    },
    dbPoolSize: e.CLIENTELE_DB_POOL_SIZE,
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.CLIENTELE_MAIL_FROM,
      connections: e.CLIENTELE_SMTP_CONNECTIONS,
      portalPublicUrl: (
        e.CLIENTELE_PORTAL_PUBLIC_URL ?? `http://${surfaces.portal.host === '0.0.0.0' ? '127.0.0.1' : surfaces.portal.host}:${surfaces.portal.port}`
      ).replace(/\/$/, ''),
      sendWorkers: e.CLIENTELE_SEND_WORKERS,
      chunkSize: e.CLIENTELE_SEND_CHUNK_SIZE,
    },
    mqtt: {
      host: e.CLIENTELE_MQTT_HOST ?? e.CLIENTELE_HOST,
      port: e.CLIENTELE_MQTT_PORT,
      url: e.MQTT_URL,
      shareGroup: e.CLIENTELE_MQTT_SHARE_GROUP,
    },
  };
}
