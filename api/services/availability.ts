// Seat availability for a segment, read from the inventory actor and cached
// in Redis for a few seconds: a popular search must not query the actor on
// every request. Every change this API makes to a run (hold, payment,
// cancellation) bumps a version so the next read is fresh; changes made by
// the workers alone (hold expiry) show within the cache TTL.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { availabilityQuery, inventoryWorkflowId } from '../../contracts';
import type { Availability } from '../../domain/allocation';
import type { Db } from '../../db/client';
import { inventoryLayout } from '../../db/repositories/trains';

export interface AvailabilityKey {
  trainNumber: string;
  runDate: string;
  classCode: string;
  fromSeq: number;
  toSeq: number;
}

export class AvailabilityService {
  constructor(
    private readonly deps: { client: Client; redis: Redis; db: Db; ttlSeconds: number; log: { warn(o: object, m: string): void } },
  ) {}

  private versionKey(k: { trainNumber: string; runDate: string; classCode: string }): string {
    return `availver:${inventoryWorkflowId(k.trainNumber, k.runDate, k.classCode)}`;
  }

  async get(k: AvailabilityKey): Promise<Availability & { source: 'cache' | 'inventory' | 'layout' }> {
    const { redis } = this.deps;
    let cacheKey: string | null = null;
    try {
      const version = (await redis.get(this.versionKey(k))) ?? '0';
      cacheKey = `avail:${inventoryWorkflowId(k.trainNumber, k.runDate, k.classCode)}:v${version}:${k.fromSeq}-${k.toSeq}`;
      const cached = await redis.get(cacheKey);
      if (cached) return { ...(JSON.parse(cached) as Availability), source: 'cache' };
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'availability cache unavailable');
    }
    const fresh = await this.fromActor(k);
    if (cacheKey) {
      const { source: _s, ...value } = fresh;
      await redis.set(cacheKey, JSON.stringify(value), 'EX', this.deps.ttlSeconds).catch(() => undefined);
    }
    return fresh;
  }

  /** Call after any change to a run's seats. */
  async invalidate(k: { trainNumber: string; runDate: string; classCode: string }): Promise<void> {
    await this.deps.redis.incr(this.versionKey(k)).catch(() => undefined);
  }

  private async fromActor(k: AvailabilityKey): Promise<Availability & { source: 'inventory' | 'layout' }> {
    try {
      const handle = this.deps.client.workflow.getHandle(inventoryWorkflowId(k.trainNumber, k.runDate, k.classCode));
      const a = await handle.query(availabilityQuery, { fromSeq: k.fromSeq, toSeq: k.toSeq });
      return { ...a, source: 'inventory' };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    // Nobody has booked this run yet: everything is free.
    const layout = await inventoryLayout(this.deps.db, k.trainNumber, k.classCode);
    const byType: Availability['byType'] = {};
    for (const b of layout.berths) byType[b.type as keyof Availability['byType']] = (byType[b.type as keyof Availability['byType']] ?? 0) + 1;
    return { available: layout.berths.length, byType, source: 'layout' };
  }
}
