// The route table: method and path pattern to service, operation and handler. Literal segments
// compare without case (HPC Pack clients and docs disagree on case); `{name}` captures one segment.
import type { ServiceId } from '../core/services.js';
import type { Handler } from './service.js';

export type { Handler } from './service.js';

/** A route, compiled: its pattern split into segments. */
export interface Route {
  method: string;
  pattern: readonly string[];
  service: ServiceId | 'control';
  operation: string;
  handler: Handler;
}

/** A route from its path text (`/jobs/{jobId}/tasks`). */
export function compileRoute(
  service: Route['service'],
  method: string,
  path: string,
  operation: string,
  handler: Handler,
): Route {
  return { method, pattern: path.split('/').slice(1), service, operation, handler };
}

/** `GET /jobs/{jobId}/tasks (azure-batch.listTasks)`. */
export function describeRoute(route: Route): string {
  return `${route.method} /${route.pattern.join('/')} (${route.service}.${route.operation})`;
}

function matchSegments(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith('{')) {
      if (s === '') return undefined;
      params[p.slice(1, -1)] = s;
    } else if (p.toLowerCase() !== s.toLowerCase()) return undefined;
  }
  return params;
}

/** What routing found: a route, a path served by other methods only, or nothing. */
export type Routing =
  | { kind: 'route'; route: Route; params: Record<string, string> }
  | { kind: 'method'; allowed: string[]; route: Route }
  | { kind: 'none'; closest: Route | undefined };

// How far a path is from a pattern: segment by segment, a literal that differs costs 1 (2 when
// it is not even close), a missing or extra segment costs 2.
function distance(pattern: readonly string[], segments: readonly string[]): number {
  let cost = Math.abs(pattern.length - segments.length) * 2;
  const n = Math.min(pattern.length, segments.length);
  for (let i = 0; i < n; i++) {
    const p = pattern[i]!;
    if (p.startsWith('{')) continue;
    const s = segments[i]!.toLowerCase();
    const l = p.toLowerCase();
    if (s === l) continue;
    cost += s.length > 0 && (l.startsWith(s.slice(0, 3)) || s.startsWith(l.slice(0, 3))) ? 1 : 2;
  }
  return cost;
}

/** Finds the route for a method and path. */
export function route(routes: readonly Route[], method: string, segments: readonly string[]): Routing {
  let allowed: string[] | undefined;
  let first: Route | undefined;
  for (const r of routes) {
    const params = matchSegments(r.pattern, segments);
    if (!params) continue;
    if (r.method === method) return { kind: 'route', route: r, params };
    allowed ??= [];
    allowed.push(r.method);
    first ??= r;
  }
  if (allowed && first) return { kind: 'method', allowed, route: first };
  let closest: Route | undefined;
  let best = Number.POSITIVE_INFINITY;
  for (const r of routes) {
    if (r.service === 'control') continue;
    const d = distance(r.pattern, segments) + (r.method === method ? 0 : 0.5);
    if (d < best) {
      best = d;
      closest = r;
    }
  }
  return { kind: 'none', closest };
}
