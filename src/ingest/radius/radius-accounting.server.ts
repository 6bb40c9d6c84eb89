import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { isOutage, isTransientError } from '../../db/sql-errors';
import { unmapIPv4 } from '../../net/ip';
import { checkDatagram, decodeAccountingRequest, encodeAccountingResponse, verifyRequestAuthenticator } from './radius.decoder';
import type { AccountingItem, RadiusAccountingStore } from './radius-accounting.store';
import type { RadiusClientRegistry } from './radius-clients.registry';
import { RadiusMetrics } from './radius.metrics';

export interface RadiusServerOptions {
  /** UDP port; 0 = an ephemeral port (tests). The app does not start the server when disabled. */
  port: number;
  host: string;
  /** Most requests stored in one transaction. */
  batchMax: number;
  /** Most requests waiting for storage; beyond that datagrams are dropped (the NAS retransmits). */
  queueMax: number;
  /** How long a reply stays cached for retransmissions (RFC 5080). */
  replyCacheMs: number;
  /** Pause after a failed commit before trying the next batch (database down). */
  retryDelayMs: number;
  /**
   * Transactions in flight at once. Requests are spread over lanes by session, so one
   * session's requests are always stored in order by one lane, and several database
   * backends (cores) work at once. Accounting-On/Off waits for every lane (a barrier).
   */
  lanes?: number;
}

interface Lane {
  queue: Pending[];
  /** Halves of a failed batch, or a batch to redo after a deadlock, tried before new work. */
  retries: Pending[][];
  committing: Promise<void> | null;
}

interface Pending {
  item: AccountingItem;
  packet: Buffer;
  secret: Buffer;
  address: string;
  port: number;
  cacheKey: string;
}

interface CachedReply {
  reply: Buffer;
  atMs: number;
}

/**
 * The in-process RADIUS accounting server (RFC 2866 + RFC 5080 duplicate handling).
 *
 * receive → validate → client + authenticator → decode → queue → group commit → reply.
 * A reply is sent only after the request's transaction committed; a failed commit sends
 * nothing, so the NAS retransmits until the database is back. Retransmissions (same source,
 * Identifier and authenticator) of an answered request get the cached reply; those of a
 * request still being stored are dropped (its reply is on the way).
 */
export class RadiusAccountingServer {
  readonly metrics: RadiusMetrics;
  private socket: dgram.Socket | null = null;
  private readonly lanes: Lane[];
  /** Accounting-On/Off requests: stored alone, when no lane has a transaction open. */
  private barrier: Pending[] = [];
  private barrierCommitting: Promise<void> | null = null;
  private queued = 0;
  private readonly inFlight = new Set<string>();
  private readonly replies = new Map<string, CachedReply>();
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(
    private readonly options: RadiusServerOptions,
    private readonly clients: RadiusClientRegistry,
    private readonly store: RadiusAccountingStore,
    private readonly hooks: { afterCommit?: (assignmentsChanged: boolean) => void; logger?: Logger } = {},
    metrics?: RadiusMetrics,
  ) {
    this.metrics = metrics ?? new RadiusMetrics();
    this.lanes = Array.from({ length: Math.max(1, options.lanes ?? 1) }, () => ({ queue: [], retries: [], committing: null }));
  }

  async start(): Promise<void> {
    if (this.socket) return;
    this.stopped = false;
    const socket = dgram.createSocket({ type: this.options.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 * 1024 * 1024 });
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address, rinfo.port));
    socket.on('error', (err) => this.hooks.logger?.warn({ err }, 'radius accounting socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    this.sweepTimer = setInterval(() => this.sweepReplies(Date.now()), 1000);
    this.sweepTimer.unref();
  }

  /** Stops receiving and waits for the transaction in progress. Queued requests are not acknowledged. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.sweepTimer = this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    await Promise.all([this.barrierCommitting, ...this.lanes.map((l) => l.committing)].map((c) => c?.catch(() => {})));
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    for (const lane of this.lanes) {
      lane.queue = [];
      lane.retries = [];
    }
    this.barrier = [];
    this.queued = 0;
    this.inFlight.clear();
    this.metrics.queueDepth = 0;
  }

  address(): AddressInfo {
    if (!this.socket) throw new Error('RADIUS accounting server is not started');
    return this.socket.address();
  }

  /** Every datagram goes through here; nothing in it may throw. */
  private onMessage(datagram: Buffer, address: string, port: number): void {
    const m = this.metrics;
    m.received++;
    try {
      const checked = checkDatagram(datagram);
      if (!checked.ok) return m.drop(checked.reason);
      const packet = checked.packet;
      const client = this.clients.lookup(address);
      if (!client) return m.drop('unknown_client');
      if (!verifyRequestAuthenticator(packet, client.secret)) return m.drop('bad_authenticator');

      const cacheKey = address + '|' + port + '|' + packet.toString('latin1', 1, 20);
      const cached = this.replies.get(cacheKey);
      if (cached) {
        m.retransmissions++;
        this.socket?.send(cached.reply, port, address);
        return;
      }
      if (this.inFlight.has(cacheKey)) return m.drop('duplicate_in_flight');

      const decoded = decodeAccountingRequest(packet);
      if (!decoded.ok) return m.drop(decoded.reason);
      if (this.queued >= this.options.queueMax) return m.drop('queue_full');

      const nasAddress = decoded.request.nasAddress ?? unmapIPv4(address);
      const now = Date.now();
      const nas = m.nas.get(nasAddress);
      if (nas) {
        nas.lastSeenMs = now;
        nas.received++;
      } else m.nas.set(nasAddress, { lastSeenMs: now, received: 1, accepted: 0 });

      m.accepted++;
      this.inFlight.add(cacheKey);
      // The packet is copied: Node may reuse nothing here, but a slice of a larger datagram
      // would keep the padding alive in the cache for no reason.
      const pending: Pending = {
        item: { request: decoded.request, nasAddress, receivedMs: now },
        packet: packet === datagram ? datagram : Buffer.from(packet),
        secret: client.secret,
        address,
        port,
        cacheKey,
      };
      const sessionId = decoded.request.sessionId;
      if (decoded.request.status === 'Accounting-On' || decoded.request.status === 'Accounting-Off' || sessionId === null) this.barrier.push(pending);
      else this.lanes[laneOf(nasAddress, sessionId, this.lanes.length)].queue.push(pending);
      this.queued++;
      m.queueDepth = this.queued;
      this.pump();
    } catch (err) {
      m.drop('bad_attribute');
      this.hooks.logger?.debug({ err }, 'radius datagram rejected');
    }
  }

  /**
   * Starts a group commit on every idle lane that has work: everything queued on it so far
   * (up to batchMax) goes in one transaction. Accounting-On/Off waits until no lane is busy.
   */
  private pump(): void {
    if (this.stopped || this.barrierCommitting) return;
    const wait = this.retryAt - Date.now();
    if (wait > 0) {
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.pump();
        }, wait);
      }
      return;
    }
    if (this.barrier.length) {
      if (this.lanes.some((l) => l.committing)) return; // pumped again when they finish
      // One at a time: they are rare, and a failing one then never holds up another.
      const batch = this.barrier.splice(0, 1);
      this.queued -= batch.length;
      this.metrics.queueDepth = this.queued;
      this.barrierCommitting = this.commit(batch, null).finally(() => {
        this.barrierCommitting = null;
        setImmediate(() => this.pump());
      });
      return;
    }
    for (const lane of this.lanes) {
      if (lane.committing || (lane.queue.length === 0 && lane.retries.length === 0)) continue;
      let batch: Pending[];
      if (lane.retries.length) {
        batch = lane.retries.shift()!;
      } else if (lane.queue.length <= this.options.batchMax) {
        batch = lane.queue;
        lane.queue = [];
        this.queued -= batch.length;
      } else {
        batch = lane.queue.slice(0, this.options.batchMax);
        lane.queue = lane.queue.slice(this.options.batchMax);
        this.queued -= batch.length;
      }
      this.metrics.queueDepth = this.queued;
      lane.committing = this.commit(batch, lane).finally(() => {
        lane.committing = null;
        // Let the event loop read the socket between batches, then go on with what arrived.
        setImmediate(() => this.pump());
      });
    }
  }

  private async commit(batch: Pending[], lane: Lane | null): Promise<void> {
    const m = this.metrics;
    try {
      const summary = await this.store.commit(batch.map((p) => p.item));
      m.batches++;
      m.stored += batch.length;
      m.staleRequests += summary.staleRequests;
      m.sessionsOpened += summary.sessionsOpened;
      m.sessionsClosed += summary.sessionsClosed;
      m.inBytes += summary.inBytes;
      m.outBytes += summary.outBytes;
      m.unattributedBytes += summary.unattributedBytes;
      for (const [nas, n] of summary.implausible) m.dropImplausible(nas, n);
      const now = Date.now();
      m.lastCommitMs = now;
      for (const p of batch) {
        this.inFlight.delete(p.cacheKey);
        let reply: Buffer;
        try {
          reply = encodeAccountingResponse(p.packet, p.secret, p.item.request.hasMessageAuthenticator);
        } catch {
          continue;
        }
        this.replies.set(p.cacheKey, { reply, atMs: now });
        const nas = m.nas.get(p.item.nasAddress);
        if (nas) nas.accepted++;
        if (this.socket) {
          this.socket.send(reply, p.port, p.address);
          m.replied++;
        }
      }
      if (this.replies.size > 500_000) this.sweepReplies(now + this.options.replyCacheMs);
      try {
        this.hooks.afterCommit?.(summary.assignmentsChanged);
      } catch (err) {
        this.hooks.logger?.warn({ err }, 'radius afterCommit hook failed');
      }
    } catch (err) {
      // Nothing was stored: acknowledge nothing. The NAS retransmits; those go through again.
      if (lane && isTransientError(err)) {
        // Deadlock with another lane (e.g. both adding to one ledger row): simply redo it.
        lane.retries.unshift(batch);
        return;
      }
      if (batch.length > 1 && !isOutage(err)) {
        // One bad request must not block everyone else's: retry the halves, down to the culprit.
        const half = batch.length >> 1;
        lane?.retries.unshift(batch.slice(0, half), batch.slice(half));
        return;
      }
      m.dropped.store_failed += batch.length;
      for (const p of batch) this.inFlight.delete(p.cacheKey);
      this.retryAt = Date.now() + this.options.retryDelayMs;
      this.hooks.logger?.warn({ err: (err as Error).message, requests: batch.length }, 'radius accounting commit failed; not acknowledged');
    }
  }

  private sweepReplies(nowMs: number): void {
    const oldest = nowMs - this.options.replyCacheMs;
    for (const [key, value] of this.replies) {
      if (value.atMs > oldest) break; // insertion order is time order
      this.replies.delete(key);
    }
  }
}

/** FNV-1a over NAS + session id: the lane that stores this session's requests, in order. */
export function laneOf(nas: string, sessionId: string, lanes: number): number {
  if (lanes === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < nas.length; i++) h = Math.imul(h ^ nas.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x7c, 0x01000193);
  for (let i = 0; i < sessionId.length; i++) h = Math.imul(h ^ sessionId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}
