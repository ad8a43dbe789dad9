import { announce, createJsonLogger, formatLogEntry, sdkLogLevel } from '../../workers/logging';

describe('worker JSON logs', () => {
  it('maps LOG_LEVEL to the SDK levels', () => {
    expect(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => sdkLogLevel(l as never))).toEqual([
      'ERROR',
      'ERROR',
      'WARN',
      'INFO',
      'DEBUG',
      'TRACE',
      null,
    ]);
  });

  it('writes one JSON line per entry with the SDK metadata', () => {
    const lines: string[] = [];
    const logger = createJsonLogger('info', (l) => lines.push(l));
    logger.debug('dropped');
    logger.info('Activity completed', { workflowId: 'booking-1234567890', runId: 'r1', activityType: 'confirmBooking', attempt: 1n });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(lines[0]?.trim().includes('\n')).toBe(false);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'info',
      time: expect.any(Number),
      msg: 'Activity completed',
      workflowId: 'booking-1234567890',
      runId: 'r1',
      activityType: 'confirmBooking',
      attempt: '1',
    });
  });

  it('serialises errors and cycles, and never lets metadata replace level, time or msg', () => {
    const meta: Record<string, unknown> = { error: Object.assign(new Error('boom'), { code: 'E1' }), msg: 'spoof', level: 'x' };
    meta.self = meta;
    const out = JSON.parse(formatLogEntry({ level: 'WARN', message: 'failed', timestampNanos: 1_700_000_000_123_000_000n, meta }));
    expect(out).toMatchObject({ level: 'warn', time: 1_700_000_000_123, msg: 'failed' });
    expect(out.self.self).toBe('[Circular]');
    expect(out.error).toMatchObject({ type: 'Error', message: 'boom', code: 'E1' });
    expect(out.error.stack).toContain('boom');
  });

  it('drops everything when silent', () => {
    const lines: string[] = [];
    createJsonLogger('silent', (l) => lines.push(l)).error('not shown');
    expect(lines).toHaveLength(0);
  });

  it('announces lifecycle lines at any level but silent', () => {
    const lines: string[] = [];
    announce('warn', 'worker started', { taskQueue: 'q' }, (l) => lines.push(l));
    announce('silent', 'worker stopped', undefined, (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'info', msg: 'worker started', taskQueue: 'q' });
  });
});
