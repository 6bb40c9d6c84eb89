import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticatedToken, isWellFormedToken, TokenService } from './token.service';

/** The token of an `Authorization: Bearer <token>` header; null without one. */
export function bearerToken(authorization: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match ? match[1] : null;
}

/** The API token a request presents, or why the request is refused (UNAUTHENTICATED). */
export async function authenticate(tokens: TokenService, authorization: string | undefined): Promise<AuthenticatedToken | string> {
  const token = bearerToken(authorization);
  if (token === null) return 'Missing token: send the header "Authorization: Bearer <personal access token>"';
  if (!isWellFormedToken(token)) return 'Malformed token';
  return (await tokens.verify(token)) ?? 'Unknown or revoked token';
}

/**
 * Whether a request presents `secret` as its Bearer token (METRICS_TOKEN), compared in constant
 * time: both sides are hashed to 32 bytes first, so neither the position of the first wrong
 * character nor the secret's length shows in the time taken.
 */
export function presentsSecret(authorization: string | undefined, secret: string): boolean {
  const token = bearerToken(authorization);
  return token !== null && timingSafeEqual(sha256(token), sha256(secret));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
