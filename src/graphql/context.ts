import type { AuthenticatedToken } from '../auth/token.service';
import type { TokenScope } from '../auth/token-scope';
import type { Services } from '../services';
import { createLoaders, Loaders } from './loaders';

/** Built per request: loaders batch and cache only within one request. */
export interface GraphQLContext {
  services: Services;
  loaders: Loaders;
  requestId: string;
  /** The personal access token that authenticated this request. */
  tokenId: number;
  /** What that token may do (checked by graphql/auth/scope.ts before every query and mutation). */
  tokenScopes: readonly TokenScope[];
}

export function createContext(services: Services, requestId: string, token: AuthenticatedToken): GraphQLContext {
  return { services, loaders: createLoaders(services), requestId, tokenId: token.tokenId, tokenScopes: token.scopes };
}
