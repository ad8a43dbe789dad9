// Availability for a segment: from the inventory actor by query, cached in
// Redis for a few seconds. Any change the API makes to a run (hold, payment,
// cancellation) bumps a version so the next read is fresh; changes made by
// the workers alone (hold expiry) show within the cache TTL.
//
// Besides the short fresh copy, the last value read from each inventory is
// kept for `lastKnownSeconds`: while Temporal is down the API answers from it,
// marked stale with the time it was read, instead of failing; with none, 503.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { availabilityQuery, inventoryWorkflowId } from '../../contracts';
import type { Availability } from '../../domain/allocation';
import type { Db } from '../../db/client';
import { inventoryLayout } from '../../db/repositories/trains';
import { berthsInPool } from '../../domain/quotas';
import type { RailQuota } from '../../domain/railwayRules';
import { isClassCode, type BerthType } from '../../domain/types';

/** GN keeps the keys it always had; other pools get their own. */
const quotaSuffix = (k: AvailabilityKey) => (k.quota && k.quota !== 'GN' ? `:${k.quota}` : '');
import { DependencyUnavailable } from '../dependencies';

export interface AvailabilityKey {
  trainNumber: string;
  runDate: string;
  classCode: string;
  fromSeq: number;
  toSeq: number;
  /** The quota pool asked about; GN when omitted. */
  quota?: RailQuota;
}

export type AvailabilityAnswer = Availability &
  ({ source: 'cache' | 'inventory' | 'layout'; stale: false } | { source: 'last-known'; stale: true; asOf: string });

export interface AvailabilityDeps {
  client: Client;
  redis: Redis;
  db: Db;
  ttlSeconds: number;
  lastKnownSeconds: number;
  /** How new inventories split their berths (config.railway), for a run nobody has booked yet. */
  pools: { on: boolean; racBerthsPerCoach: Partial<Record<string, number>> };
  /** Runs Temporal calls under a deadline and the Temporal gate (app.withTemporal). */
  withTemporal<T>(fn: () => Promise<T>): Promise<T>;
  log: { warn(o: object, m: string): void };
}

export class AvailabilityService {
  constructor(private readonly deps: AvailabilityDeps) {}

  private versionKey(k: { trainNumber: string; runDate: string; classCode: string }): string {
    return `availver:${inventoryWorkflowId(k.trainNumber, k.runDate, k.classCode)}`;
  }

  private lastKnownKey(k: AvailabilityKey): string {
    return `availlast:${inventoryWorkflowId(k.trainNumber, k.runDate, k.classCode)}:${k.fromSeq}-${k.toSeq}${quotaSuffix(k)}`;
  }

  async get(k: AvailabilityKey): Promise<AvailabilityAnswer> {
    const { redis } = this.deps;
    let cacheKey: string | null = null;
    try {
      const version = (await redis.get(this.versionKey(k))) ?? '0';
      cacheKey = `avail:${inventoryWorkflowId(k.trainNumber, k.runDate, k.classCode)}:v${version}:${k.fromSeq}-${k.toSeq}${quotaSuffix(k)}`;
      const cached = await redis.get(cacheKey);
      if (cached) return { ...(JSON.parse(cached) as Availability), source: 'cache', stale: false };
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'availability cache unavailable');
    }
    let fresh: Availability & { source: 'inventory' | 'layout' };
    try {
      fresh = await this.fromActor(k);
    } catch (err) {
      if (!(err instanceof DependencyUnavailable) || err.dependency !== 'temporal') throw err;
      const last = await this.lastKnown(k);
      if (!last) throw err;
      return last;
    }
    const { source, ...value } = fresh;
    if (cacheKey) {
      const at = new Date().toISOString();
      await redis
        .multi()
        .set(cacheKey, JSON.stringify(value), 'EX', this.deps.ttlSeconds)
        .set(this.lastKnownKey(k), JSON.stringify({ value, at }), 'EX', this.deps.lastKnownSeconds)
        .exec()
        .catch(() => undefined);
    }
    return { ...value, source, stale: false };
  }

  /** Call after any change to a run's seats. */
  async invalidate(k: { trainNumber: string; runDate: string; classCode: string }): Promise<void> {
    await this.deps.redis.incr(this.versionKey(k)).catch(() => undefined);
  }

  private async lastKnown(k: AvailabilityKey): Promise<AvailabilityAnswer | null> {
    try {
      const raw = await this.deps.redis.get(this.lastKnownKey(k));
      if (!raw) return null;
      const { value, at } = JSON.parse(raw) as { value: Availability; at: string };
      return { ...value, source: 'last-known', stale: true, asOf: at };
    } catch {
      return null; // Redis is away too: nothing to answer from
    }
  }

  private async fromActor(k: AvailabilityKey): Promise<Availability & { source: 'inventory' | 'layout' }> {
    try {
      const handle = this.deps.client.workflow.getHandle(inventoryWorkflowId(k.trainNumber, k.runDate, k.classCode));
      const a = await this.deps.withTemporal(() => handle.query(availabilityQuery, { fromSeq: k.fromSeq, toSeq: k.toSeq, quota: k.quota ?? 'GN' }));
      return { ...a, source: 'inventory' };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    // Nobody has booked this run yet: every berth of the pool is free (the inventory will keep the RAC ones apart).
    const layout = await inventoryLayout(this.deps.db, k.trainNumber, k.classCode);
    const berths = layout.berths.map((b) => ({ coach: b.coach, berthNo: b.berthNo, type: b.type as BerthType }));
    const { on, racBerthsPerCoach } = this.deps.pools;
    const rac = Object.hasOwn(racBerthsPerCoach, k.classCode) ? racBerthsPerCoach[k.classCode] : undefined;
    const pool = isClassCode(k.classCode) ? berthsInPool(k.classCode, berths, k.quota ?? 'GN', { pools: on, ...(rac === undefined ? {} : { racPerCoach: rac }) }) : berths;
    const byType: Availability['byType'] = {};
    for (const b of pool) byType[b.type] = (byType[b.type] ?? 0) + 1;
    return { available: pool.length, byType, source: 'layout' };
  }
}
