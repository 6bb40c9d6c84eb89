import type { Services } from '../services';

/** DataLoaders for relation fields, created per request so nothing is cached across requests. */
export type Loaders = Record<string, never>;

export function createLoaders(_services: Services): Loaders {
  return {};
}
