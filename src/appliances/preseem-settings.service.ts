import type { DataSource } from 'typeorm';
import { PreseemSettings } from '../db/entities/preseem-settings.entity';
import { resolvePatch } from '../accounts/patch';
import { badInput } from '../errors';

/** The singleton's id: there is exactly one Preseem configuration. */
const SINGLETON_ID = 1;

export interface PreseemView {
  settings: PreseemSettings;
  apiKeyPresent: boolean;
}

export interface PreseemSecretView extends PreseemView {
  apiKey: string | null;
}

export interface UpdatePreseemInput {
  enabled?: boolean;
  /** Write-only. '' clears it, as unset_api_key does. */
  api_key?: string;
  base_url?: string;
  interval?: number;
  unset_api_key?: boolean | null;
  unset_base_url?: boolean | null;
}

export const PRESEEM_MIN_INTERVAL_S = 60;
export const PRESEEM_MAX_INTERVAL_S = 86_400;

/** Sonar's `preseem` singleton: read (the key only as "present") and update. */
export class PreseemSettingsService {
  constructor(private readonly dataSource: DataSource) {}

  async get(): Promise<PreseemView> {
    return withoutSecret(await this.getWithSecret());
  }

  /** For the poller only: includes the API key. */
  async getWithSecret(): Promise<PreseemSecretView> {
    return secretView(await this.row());
  }

  /** Sonar's update: only the fields sent change; `unset_api_key` / `unset_base_url` clear them. */
  async update(input: UpdatePreseemInput): Promise<PreseemView> {
    const patch = validated(resolvePatch<PreseemSettings>('Preseem', { ...input }, ['api_key', 'base_url']));
    const row = await this.row();
    const enabled = patch.enabled ?? row.enabled;
    const baseUrl = patch.base_url !== undefined ? patch.base_url : row.base_url;
    const apiKey = patch.api_key !== undefined ? patch.api_key : row.api_key;
    if (enabled && (!baseUrl || !apiKey)) {
      throw badInput('Preseem cannot be enabled without both base_url and api_key');
    }
    if (Object.keys(patch).length > 0) {
      Object.assign(row, patch);
      // save() reads the new version and updated_at back into the row.
      await this.dataSource.getRepository(PreseemSettings).save(row);
    }
    return withoutSecret(secretView(row));
  }

  /** The singleton with its API key, created with the defaults on first use. */
  private async row(): Promise<PreseemSettings> {
    await this.dataSource.query(
      `INSERT INTO preseem_settings (id, enabled, interval) VALUES ($1, false, 900) ON CONFLICT (id) DO NOTHING`,
      [SINGLETON_ID],
    );
    return this.dataSource
      .getRepository(PreseemSettings)
      .createQueryBuilder('p')
      .addSelect('p.api_key')
      .where('p.id = :id', { id: SINGLETON_ID })
      .getOneOrFail();
  }
}

/** Normalises what the patch sets: '' clears the key or URL, the URL is checked, the interval bounded. */
function validated(patch: Partial<PreseemSettings>): Partial<PreseemSettings> {
  const out = { ...patch };
  if (out.api_key === '') out.api_key = null;
  if (out.base_url !== undefined && out.base_url !== null) out.base_url = out.base_url === '' ? null : normalizeBaseUrl(out.base_url);
  if (out.interval !== undefined) {
    const i = out.interval;
    if (!Number.isInteger(i) || i < PRESEEM_MIN_INTERVAL_S || i > PRESEEM_MAX_INTERVAL_S) {
      throw badInput(`interval must be a whole number of seconds between ${PRESEEM_MIN_INTERVAL_S} and ${PRESEEM_MAX_INTERVAL_S}`);
    }
  }
  return out;
}

/** Takes the key out of the row (the settings object goes to the API) and says whether one is set. */
function secretView(row: PreseemSettings): PreseemSecretView {
  const { api_key: apiKey = null, ...settings } = row;
  return { settings: settings as PreseemSettings, apiKey, apiKeyPresent: apiKey !== null && apiKey !== '' };
}

function withoutSecret({ settings, apiKeyPresent }: PreseemSecretView): PreseemView {
  return { settings, apiKeyPresent };
}

/** http(s) URL without a trailing slash, no credentials inside (the key goes in api_key). */
export function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw badInput(`base_url "${value}" is not a URL (e.g. https://api.preseem.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('base_url must start with http:// or https://');
  if (url.username || url.password) throw badInput('base_url must not contain credentials: set api_key instead');
  if (url.search || url.hash) throw badInput('base_url must not contain a query string or fragment');
  return url.toString().replace(/\/+$/, '');
}
