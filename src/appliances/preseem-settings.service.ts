import type { DataSource } from 'typeorm';
import { PreseemSettings } from '../db/entities/preseem-settings.entity';
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
  /** Write-only. null or '' clears it. */
  api_key?: string | null;
  base_url?: string | null;
  interval?: number;
}

export const PRESEEM_MIN_INTERVAL_S = 60;
export const PRESEEM_MAX_INTERVAL_S = 86_400;

/** Sonar's `preseem` singleton: read (the key only as "present") and update. */
export class PreseemSettingsService {
  constructor(private readonly dataSource: DataSource) {}

  async get(): Promise<PreseemView> {
    const { apiKey, ...view } = await this.getWithSecret();
    void apiKey;
    return view;
  }

  /** For the poller only: includes the API key. */
  async getWithSecret(): Promise<PreseemSecretView> {
    const repo = this.dataSource.getRepository(PreseemSettings);
    await this.ensureRow();
    const settings = await repo
      .createQueryBuilder('p')
      .addSelect('p.api_key')
      .where('p.id = :id', { id: SINGLETON_ID })
      .getOneOrFail();
    const apiKey = settings.api_key ?? null;
    delete (settings as Partial<PreseemSettings>).api_key;
    return { settings, apiKey, apiKeyPresent: apiKey !== null && apiKey !== '' };
  }

  async update(input: UpdatePreseemInput): Promise<PreseemView> {
    const patch: Partial<PreseemSettings> = {};
    if (input.enabled !== undefined && input.enabled !== null) patch.enabled = input.enabled;
    if (input.api_key !== undefined) patch.api_key = input.api_key === null || input.api_key === '' ? null : input.api_key;
    if (input.base_url !== undefined) patch.base_url = input.base_url === null || input.base_url === '' ? null : normalizeBaseUrl(input.base_url);
    if (input.interval !== undefined && input.interval !== null) {
      const i = input.interval;
      if (!Number.isInteger(i) || i < PRESEEM_MIN_INTERVAL_S || i > PRESEEM_MAX_INTERVAL_S) {
        throw badInput(`interval must be a whole number of seconds between ${PRESEEM_MIN_INTERVAL_S} and ${PRESEEM_MAX_INTERVAL_S}`);
      }
      patch.interval = i;
    }
    await this.ensureRow();
    const current = await this.getWithSecret();
    const enabled = patch.enabled ?? current.settings.enabled;
    const baseUrl = patch.base_url !== undefined ? patch.base_url : current.settings.base_url;
    const apiKey = patch.api_key !== undefined ? patch.api_key : current.apiKey;
    if (enabled && (!baseUrl || !apiKey)) {
      throw badInput('Preseem cannot be enabled without both base_url and api_key');
    }
    if (Object.keys(patch).length > 0) {
      const repo = this.dataSource.getRepository(PreseemSettings);
      const row = await repo.findOneByOrFail({ id: SINGLETON_ID });
      Object.assign(row, patch);
      await repo.save(row);
    }
    return this.get();
  }

  private async ensureRow(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO preseem_settings (id, enabled, interval) VALUES ($1, false, 900) ON CONFLICT (id) DO NOTHING`,
      [SINGLETON_ID],
    );
  }
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
