import { randomUUID } from 'node:crypto';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyBaseLogger } from 'fastify';
import { existsSync } from 'node:fs';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { SurfaceName } from '../../config.js';
import type { Db } from '../db/database.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { roleOf, type AccessRule, type Principal } from '../auth/principal.js';
import { installErrorHandler } from './error-handler.js';
import { installIdempotency } from './idempotency.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** How the principal authenticated: a cookie session needs a CSRF token for writes. */
    viaCookie: boolean;
    surface: SurfaceName;
  }
}

export type Surface = FastifyInstance<any, any, any, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Resolves the principal of a request on one surface; null when there is none. */
export type Authenticator = (request: FastifyRequest) => Promise<{ principal: Principal; viaCookie: boolean } | null>;

export interface SurfaceOptions {
  name: SurfaceName;
  title: string;
  description: string;
  db: Db;
  logger: FastifyBaseLogger;
  trustProxy: boolean;
  authenticate: Authenticator;
  /** A built single-page app to serve at `/`, with index.html for unknown non-API paths. */
  spaDir?: string;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** One Fastify instance for one surface: logging, request ids, errors, OpenAPI, health and access control. */
export async function createSurface(opts: SurfaceOptions): Promise<Surface> {
  const app = Fastify({
    loggerInstance: opts.logger.child({ surface: opts.name }),
    trustProxy: opts.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Query strings and path parameters arrive as text and are coerced to the schema's types;
  // JSON bodies are not: a number where a string belongs is an error, not "42".
  const ajvOptions = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  const coercing = addFormats(new Ajv({ ...ajvOptions, coerceTypes: 'array' }));
  const exact = addFormats(new Ajv({ ...ajvOptions, coerceTypes: false }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));

  app.decorateRequest('principal', null);
  app.decorateRequest('viaCookie', false);
  app.decorateRequest('surface', opts.name);
  const spa = opts.spaDir && existsSync(opts.spaDir) ? opts.spaDir : undefined;
  installErrorHandler(app, (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!spa || request.method !== 'GET' || path.startsWith('/api/') || path.includes('.')) return undefined;
    return reply.type('text/html').sendFile('index.html');
  });
  if (spa) await app.register(fastifyStatic, { root: spa, prefix: '/', index: ['index.html'] });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: opts.title, description: opts.description, version: '0.1.0' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: `clientele_${opts.name}` },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && route.config?.access === undefined) {
      throw new Error(`${opts.name}: route ${route.method} ${route.url} declares no access rule`);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    const rule = request.routeOptions.config?.access;
    if (rule === undefined) return;
    const resolved = await opts.authenticate(request);
    request.principal = resolved?.principal ?? null;
    request.viaCookie = resolved?.viaCookie ?? false;
    if (rule === 'public') return;
    if (!request.principal) throw new UnauthenticatedError();
    if (!rule.includes(roleOf(request.principal))) throw new ForbiddenError();
    if (request.viaCookie && request.principal.type !== 'api_key' && UNSAFE.has(request.method)) {
      const token = request.headers['x-csrf-token'];
      if (typeof token !== 'string' || token !== request.principal.csrfToken) {
        throw new ForbiddenError('Missing or wrong X-CSRF-Token header', 'csrf_failed');
      }
    }
  });

  installIdempotency(app, opts.db);

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await Promise.race([
        sql`select 1`.execute(opts.db),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      return { status: 'ok', surface: opts.name };
    } catch {
      return reply.status(503).send({ status: 'unavailable', surface: opts.name, reason: 'database' });
    }
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
