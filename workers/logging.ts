// Structured logs for the worker process: one JSON object per line on stdout,
// like the API's pino logs. The Temporal SDK hands every log call (its own, the
// workflow and activity context loggers, and Core's native logs when forwarded)
// to the Runtime's logger with metadata such as workflowId, runId,
// workflowType, activityType and taskQueue; all of it goes into the line.
import type { LogLevel } from '@temporalio/common';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { Config } from '../config';

/** LOG_LEVEL (pino's names) as the SDK's level; null for `silent`. */
export function sdkLogLevel(level: Config['logLevel']): LogLevel | null {
  switch (level) {
    case 'silent':
      return null;
    case 'fatal':
    case 'error':
      return 'ERROR';
    case 'warn':
      return 'WARN';
    case 'info':
      return 'INFO';
    case 'debug':
      return 'DEBUG';
    case 'trace':
      return 'TRACE';
  }
}

function errorFields(err: Error): Record<string, unknown> {
  // Own enumerable fields first (code, type, nonRetryable, details, cause…), then the standard ones.
  return { ...err, type: err.name, message: err.message, stack: err.stack, ...(err.cause !== undefined ? { cause: err.cause } : {}) };
}

/** One log entry as a JSON line: level, time (epoch ms, as pino), pid, msg, then the SDK's metadata. */
export function formatLogEntry(entry: LogEntry): string {
  const head = {
    level: entry.level.toLowerCase(),
    time: Number(entry.timestampNanos / 1_000_000n),
    pid: process.pid,
    msg: entry.message,
  };
  // Metadata never overrides the head fields (Object.assign keeps their key order).
  const record = Object.assign({ ...head }, entry.meta ?? {}, head);
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) value = errorFields(value);
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  });
}

/** The Runtime logger for `LOG_LEVEL`; `write` defaults to stdout. */
export function createJsonLogger(level: Config['logLevel'], write: (line: string) => void = (l) => process.stdout.write(l)): DefaultLogger {
  const sdkLevel = sdkLogLevel(level);
  if (sdkLevel === null) return new DefaultLogger('ERROR', () => undefined);
  return new DefaultLogger(sdkLevel, (entry) => {
    let line: string;
    try {
      line = formatLogEntry(entry);
    } catch (err) {
      line = JSON.stringify({ level: entry.level.toLowerCase(), time: Date.now(), pid: process.pid, msg: entry.message, logError: String(err) });
    }
    write(`${line}\n`);
  });
}

/**
 * Writes a lifecycle line ('worker started', 'worker stopped') at every LOG_LEVEL
 * except `silent`, as the worker always has: scripts (bench) wait for them.
 */
export function announce(level: Config['logLevel'], msg: string, meta?: Record<string, unknown>, write: (line: string) => void = (l) => process.stdout.write(l)): void {
  if (level === 'silent') return;
  write(`${formatLogEntry({ level: 'INFO', message: msg, timestampNanos: BigInt(Date.now()) * 1_000_000n, meta })}\n`);
}
