import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PersonalAccessToken } from '../db/entities';
import { badInput, notFound } from '../errors';

const TOKEN_PREFIX = 'um_';
/** Generated tokens are `um_` + 32 random bytes in base64url; BOOTSTRAP_API_TOKEN may be any 20+ printable characters. */
const TOKEN_SHAPE = /^[\x21-\x7e]{20,512}$/;
/** How long a verified token is trusted without asking the database again. */
const VERIFIED_TTL_MS = 10_000;

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
  private readonly verified = new Map<string, { id: number; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async create(name: string): Promise<CreatedToken> {
    const trimmed = name.trim();
    if (!trimmed) throw badInput('A token needs a name');
    return this.store(trimmed, `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`);
  }

  /** The id of the token's record, or null for a malformed, unknown or revoked token. */
  async verify(token: string): Promise<number | null> {
    // Keyed by the hash: no plaintext token is kept, in memory or in the database.
    const hash = hashToken(token);
    const cached = this.verified.get(hash);
    if (cached && cached.until > Date.now()) return cached.id;
    // One statement: find the token and note its use.
    const [record]: { id: string }[] = await this.dataSource.query(
      `WITH used AS (UPDATE personal_access_tokens SET last_used_at = now() WHERE token_hash = $1 RETURNING id) SELECT id::text AS id FROM used`,
      [hash],
    );
    if (!record) return null;
    const id = Number(record.id);
    this.verified.set(hash, { id, until: Date.now() + VERIFIED_TTL_MS });
    return id;
  }

  async delete(id: number): Promise<void> {
    const result = await this.repository().delete(id);
    if (!result.affected) throw notFound('PersonalAccessToken', id);
    for (const [hash, entry] of this.verified) if (entry.id === id) this.verified.delete(hash);
  }

  list(): Promise<PersonalAccessToken[]> {
    return this.repository().find({ order: { id: 'ASC' } });
  }

  /**
   * At start: make sure the token given in BOOTSTRAP_API_TOKEN exists (automation), or, when
   * the database has no token at all, create one and return it so it can be printed once.
   */
  async bootstrap(bootstrapToken?: string): Promise<string | null> {
    if (bootstrapToken) {
      const exists = await this.repository().exist({ where: { token_hash: hashToken(bootstrapToken) } });
      if (!exists) await this.store('bootstrap (BOOTSTRAP_API_TOKEN)', bootstrapToken);
      return null;
    }
    if ((await this.repository().count()) > 0) return null;
    const { token } = await this.create('first start');
    return token;
  }

  private async store(name: string, token: string): Promise<CreatedToken> {
    const record = this.repository().create({ name, token_hash: hashToken(token), hint: token.slice(-4), last_used_at: null });
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
