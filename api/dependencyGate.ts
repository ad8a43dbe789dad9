// A health memo per dependency. Once a call has failed because the dependency
// is down, the gate closes: the requests that need it are answered 503 at once
// (no connect attempt, no waiting for a deadline) while a probe retries every
// `probeIntervalMs` in the background; the first successful probe opens the
// gate again. A call that only timed out does not close the gate by itself (the
// dependency may be busy, not down): it triggers one probe, and the gate closes
// only if the probe fails too.
import { classifyUnavailable, DependencyUnavailable, type Dependency } from './dependencies';

export interface GateOptions {
  /** Probe the dependency (with its own short deadline); resolves when it answers. */
  probe(): Promise<void>;
  probeIntervalMs: number;
  retryAfterSeconds: number;
  log: { warn(o: object, m: string): void; info(o: object, m: string): void };
}

export class DependencyGate {
  private downSince: number | null = null;
  private probing: Promise<void> | null = null;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly dependency: Dependency,
    private readonly opts: GateOptions,
  ) {}

  get isDown(): boolean {
    return this.downSince !== null;
  }

  /** Throws DependencyUnavailable at once while the dependency is known to be down. */
  check(): void {
    if (this.downSince !== null) {
      throw new DependencyUnavailable(this.dependency, 'down', this.opts.retryAfterSeconds);
    }
  }

  /** Runs `fn` unless the gate is closed; a failure that says the dependency is away closes it. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.check();
    try {
      return await fn();
    } catch (err) {
      throw this.report(err);
    }
  }

  /**
   * Looks at a failure of a call to this dependency: closes the gate (down) or
   * probes (timeout). Returns the error to throw: a DependencyUnavailable for
   * either verdict, the error itself otherwise.
   */
  report(err: unknown): unknown {
    const verdict = classifyUnavailable(err);
    if (!verdict || (verdict.dependency !== null && verdict.dependency !== this.dependency)) return err;
    if (verdict.kind === 'down') this.markDown(err);
    else void this.probeOnce();
    return err instanceof DependencyUnavailable
      ? err
      : new DependencyUnavailable(this.dependency, verdict.kind, this.opts.retryAfterSeconds, undefined, err);
  }

  /** A readiness check saw the dependency answer (or not): keep the memo in step. */
  observe(ok: boolean, err?: unknown): void {
    if (ok) this.markUp();
    else this.markDown(err);
  }

  /** Stops probing; resolves once a probe in flight has finished (so its client can be closed under it). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.probing;
  }

  private markDown(err: unknown): void {
    if (this.downSince !== null || this.closed) return;
    this.downSince = Date.now();
    this.opts.log.warn({ dependency: this.dependency, err: (err as Error)?.message }, 'dependency down: answering 503 until a probe succeeds');
    this.scheduleProbe(0);
  }

  private markUp(): void {
    if (this.downSince === null) return;
    this.opts.log.info({ dependency: this.dependency, downMs: Date.now() - this.downSince }, 'dependency back');
    this.downSince = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleProbe(delayMs: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.probeOnce().then(() => {
        if (this.downSince !== null) this.scheduleProbe(this.opts.probeIntervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private probeOnce(): Promise<void> {
    if (this.probing || this.closed) return this.probing ?? Promise.resolve();
    this.probing = this.opts
      .probe()
      .then(
        () => this.markUp(),
        (err: unknown) => this.markDown(err),
      )
      .finally(() => {
        this.probing = null;
      });
    return this.probing;
  }
}
