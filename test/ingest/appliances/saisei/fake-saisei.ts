import { parseGmt } from '../../../../src/ingest/appliances/gmt-time';
import { FakeApplianceServer } from '../support';

export interface FakeSaiseiUser {
  name: string;
  /** Smoothed rates in kbit/s, as the device reports them averaged over the interval asked. */
  down: number | string;
  up: number | string;
  /** On a device with byte counters: the bytes [download, upload] of the interval reported. Absent: no counter for this user. */
  bytes?: (fromMs: number, untilMs: number) => [number | string, number | string];
  /** Report a different interval than the one asked for (the device's history points do not fall on it). */
  report?: (fromMs: number, untilMs: number) => { fromMs: number; untilMs: number };
}

/**
 * A FlowCommand appliance as its REST API answers the running configuration's `users`
 * collection: only under /rest/<systemName>/configurations/running/users/ (404 elsewhere),
 * `from`/`until` required (GMT, HH:MM:SS_YYYYMMDD), the attributes `select` names that this
 * firmware has (one without byte counters leaves them out), each object with its `link`, paged by
 * start/limit with `size` the total. Failures are the server's `faults` (401, 5xx, hangs,
 * malformed JSON, a wrong shape).
 */
export class FakeSaisei {
  users: FakeSaiseiUser[] = [];
  readonly server = new FakeApplianceServer((url) => this.answer(url));

  constructor(readonly options: { systemName?: string; byteCounters?: boolean } = {}) {}

  private answer(url: URL): { status?: number; body: unknown } {
    const base = `/rest/${this.options.systemName ?? 'stm'}/configurations/running/users/`;
    if (url.pathname !== base) return { status: 404, body: { message: `${url.pathname} does not exist` } };
    const fromMs = parseGmt(url.searchParams.get('from'));
    const untilMs = parseGmt(url.searchParams.get('until'));
    if (fromMs === null || untilMs === null) return { status: 400, body: { message: 'from and until must be HH:MM:SS_YYYYMMDD' } };
    const select = new Set((url.searchParams.get('select') ?? '').split(','));
    const start = Number(url.searchParams.get('start') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const collection = this.users.slice(start, start + limit).map((user) => {
      const interval = user.report ? user.report(fromMs, untilMs) : { fromMs, untilMs };
      const attributes: Record<string, unknown> = {
        from: new Date(interval.fromMs).toISOString(),
        until: new Date(interval.untilMs).toISOString(),
        dest_smoothed_rate: user.down,
        source_smoothed_rate: user.up,
      };
      if (this.options.byteCounters && user.bytes) {
        [attributes.dest_byte_count, attributes.source_byte_count] = user.bytes(interval.fromMs, interval.untilMs);
      }
      const object: Record<string, unknown> = { name: user.name, link: { rel: 'self', href: base + user.name } };
      for (const [key, value] of Object.entries(attributes)) if (select.has(key)) object[key] = value;
      return object;
    });
    return { body: { collection, size: this.users.length } };
  }
}
