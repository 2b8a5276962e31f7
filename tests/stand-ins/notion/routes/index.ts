// Every endpoint the stand-in serves.
import { blockRoutes } from './blocks.js';
import { dataSourceRoutes } from './data-sources.js';
import { pageRoutes } from './pages.js';
import type { Route } from './route.js';
import { userAndSearchRoutes } from './users-search.js';

export type { Route, RouteContext } from './route.js';

export const ROUTES: readonly Route[] = [...userAndSearchRoutes, ...dataSourceRoutes, ...pageRoutes, ...blockRoutes];

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

const COMPILED: CompiledRoute[] = ROUTES.map((route) => {
  const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  const pattern = new RegExp(`^${route.template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
  return { route, pattern, names };
});

export function findRoute(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
  for (const { route, pattern, names } of COMPILED) {
    if (route.method !== method) continue;
    const match = pattern.exec(pathname);
    if (!match) continue;
    const params = Object.fromEntries(names.map((name, i) => [name, safeDecode(match[i + 1]!)]));
    return { route, params };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
