import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { Config } from '../config.js';

/** The process's structured JSON logger (the surfaces' request logs and the job queue's errors). */
export function createLogger(config: Config): FastifyBaseLogger {
  return pino({ level: config.logLevel, base: { service: 'clientele' } }) as unknown as FastifyBaseLogger;
}
