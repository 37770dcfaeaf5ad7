import type { FastifyRequest } from 'fastify';
import { actorOf, type Actor } from '../auth/principal.js';

/** The audit actor of a request. (Apart from surface.ts so that route modules load without Fastify.) */
export function requestActor(request: FastifyRequest): Actor {
  return actorOf(request.principal, request.surface);
}
