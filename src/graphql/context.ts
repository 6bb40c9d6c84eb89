import type { Services } from '../services';
import { createLoaders, Loaders } from './loaders';

/** Built per request: loaders batch and cache only within one request. */
export interface GraphQLContext {
  services: Services;
  loaders: Loaders;
  requestId: string;
  /** The personal access token that authenticated this request. */
  tokenId: number;
}

export function createContext(services: Services, requestId: string, tokenId: number): GraphQLContext {
  return { services, loaders: createLoaders(services), requestId, tokenId };
}
