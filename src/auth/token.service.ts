import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PersonalAccessToken } from '../db/entities';
import { badInput, notFound } from '../errors';
import { highestScope, isTokenScope, scopesUpTo, TokenScope } from './token-scope';

const TOKEN_PREFIX = 'um_';
/** Generated tokens are `um_` + 32 random bytes in base64url; BOOTSTRAP_API_TOKEN may be any 20+ printable characters. */
const TOKEN_SHAPE = /^[\x21-\x7e]{20,512}$/;
/** How long a verified token is trusted without asking the database again. */
const VERIFIED_TTL_MS = 10_000;

/** Who a request is: the token's record and what it may do. */
export interface AuthenticatedToken {
  tokenId: number;
  /** Every scope the token holds, lowest first (`['read', 'write']` for a write token). */
  scopes: readonly TokenScope[];
}

export interface CreatedToken {
  record: PersonalAccessToken;
  /** The token itself: shown once, never stored. */
  token: string;
}

/**
 * Personal access tokens. Only a SHA-256 of each token is stored (tokens are long random
 * strings, so a fast hash is enough; there is nothing to brute-force).
 */
export class TokenService {
  private readonly verified = new Map<string, { token: AuthenticatedToken; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  /** A new token holding `scopes` (and every scope below the highest of them). */
  async create(name: string, scopes: readonly TokenScope[]): Promise<CreatedToken> {
    const trimmed = name.trim();
    if (!trimmed) throw badInput('A token needs a name');
    if (scopes.length === 0 || !scopes.every(isTokenScope)) throw badInput('A token needs a scope: read, write or admin');
    return this.store(trimmed, `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`, highestScope(scopes));
  }

  /** The token's record and scopes, or null for a malformed, unknown or revoked token. */
  async verify(token: string): Promise<AuthenticatedToken | null> {
    // Keyed by the hash: no plaintext token is kept, in memory or in the database.
    const hash = hashToken(token);
    const cached = this.verified.get(hash);
    if (cached && cached.until > Date.now()) return cached.token;
    // One statement: find the token and note its use.
    const [record]: { id: string; scope: TokenScope }[] = await this.dataSource.query(
      `WITH used AS (UPDATE personal_access_tokens SET last_used_at = now() WHERE token_hash = $1 RETURNING id, scope)
       SELECT id::text AS id, scope FROM used`,
      [hash],
    );
    if (!record) return null;
    const verified = { tokenId: Number(record.id), scopes: scopesUpTo(record.scope) };
    this.verified.set(hash, { token: verified, until: Date.now() + VERIFIED_TTL_MS });
    return verified;
  }

  async delete(id: number): Promise<void> {
    const result = await this.repository().delete(id);
    if (!result.affected) throw notFound('PersonalAccessToken', id);
    for (const [hash, entry] of this.verified) if (entry.token.tokenId === id) this.verified.delete(hash);
  }

  list(): Promise<PersonalAccessToken[]> {
    return this.repository().find({ order: { id: 'ASC' } });
  }

  /**
   * At start: make sure the token given in BOOTSTRAP_API_TOKEN exists and is admin (automation),
   * or, when the database has no token at all, create an admin token and return it so it can be
   * printed once: the first token is the one that creates the others.
   */
  async bootstrap(bootstrapToken?: string): Promise<string | null> {
    if (bootstrapToken) {
      const existing = await this.repository().findOne({ where: { token_hash: hashToken(bootstrapToken) } });
      if (!existing) await this.store('bootstrap (BOOTSTRAP_API_TOKEN)', bootstrapToken, TokenScope.admin);
      else if (existing.scope !== TokenScope.admin) await this.repository().update(existing.id, { scope: TokenScope.admin });
      return null;
    }
    if ((await this.repository().count()) > 0) return null;
    const { token } = await this.create('first start', [TokenScope.admin]);
    return token;
  }

  private async store(name: string, token: string, scope: TokenScope): Promise<CreatedToken> {
    const record = this.repository().create({ name, token_hash: hashToken(token), hint: token.slice(-4), last_used_at: null, scope });
    await this.repository().save(record);
    return { record, token };
  }

  private repository() {
    return this.dataSource.getRepository(PersonalAccessToken);
  }
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
