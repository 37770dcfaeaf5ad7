import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has defaults for everything', () => {
    const c = loadConfig({});
    expect(c.surfaces.console.port).toBe(3000);
    expect(c.surfaces.ingest.port).toBe(3003);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('data')).toBe(true);
  });

  it('reads per-surface hosts and ports', () => {
    const c = loadConfig({ CLIENTELE_PORTAL_PORT: '8081', CLIENTELE_PORTAL_HOST: '0.0.0.0', CLIENTELE_HOST: '10.0.0.1' });
    expect(c.surfaces.portal).toEqual({ host: '0.0.0.0', port: 8081 });
    expect(c.surfaces.console.host).toBe('10.0.0.1');
  });

  it('names the setting when a value is bad', () => {
    expect(() => loadConfig({ CLIENTELE_CONSOLE_PORT: 'eighty' })).toThrow(/CLIENTELE_CONSOLE_PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ CLIENTELE_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig({ CLIENTELE_TRUST_PROXY: 'maybe' })).toThrow(/CLIENTELE_TRUST_PROXY/);
    expect(() => loadConfig({ CLIENTELE_PG_SHARED_BUFFERS_MB: '8' })).toThrow(/CLIENTELE_PG_SHARED_BUFFERS_MB/);
    expect(loadConfig({ CLIENTELE_PG_SHARED_BUFFERS_MB: '512' }).embeddedPgSharedBuffersMb).toBe(512);
  });

  it('refuses two surfaces on one port', () => {
    expect(() => loadConfig({ CLIENTELE_PORTAL_PORT: '3000' })).toThrow(/CLIENTELE_PORTAL_PORT.*console/);
  });
});
