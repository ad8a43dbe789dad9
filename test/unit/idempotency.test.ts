import { decide, type StoredAnswer } from '../../api/services/idempotency';

describe('Idempotency-Key decisions for a key already held', () => {
  const done: StoredAnswer = { state: 'done', fingerprint: 'f1', status: 201, body: { pnr: '1234567890' } };
  const pending: StoredAnswer = { state: 'pending', fingerprint: 'f1' };

  it('replays a finished answer to the same request', () => {
    expect(decide(done, 'f1')).toBe('replay');
  });

  it('refuses a different request with the same key, finished or still running', () => {
    expect(decide(done, 'f2')).toBe('reused');
    expect(decide(pending, 'f2')).toBe('reused');
  });

  it('asks the same request to wait while the first is running, or when the row vanished in between', () => {
    expect(decide(pending, 'f1')).toBe('in_progress');
    expect(decide(null, 'f1')).toBe('in_progress');
  });
});
