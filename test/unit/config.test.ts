import { ConfigError, DEV_JWT_SECRET, DEV_TICKET_SIGNING_KEY, loadConfig, redactedConfig } from '../../config';

describe('config', () => {
  it('has working defaults for a developer machine', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/railbook');
    expect(c.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'railbook', uiPort: 8233 });
    expect(c.mail.smtpUrl).toBeNull();
    expect(c.booking.advanceDays).toBe(60);
    expect(c.railway).toEqual({ chartMinutesBeforeDeparture: 240, quotaPools: true, racBerthsPerCoach: {} });
  });

  it('reads the railway settings', () => {
    const c = loadConfig({ RAC_BERTHS_PER_COACH: 'SL:5, 3A:0', QUOTA_POOLS: 'off', CHART_MINUTES_BEFORE_DEPARTURE: '480' });
    expect(c.railway).toEqual({ chartMinutesBeforeDeparture: 480, quotaPools: false, racBerthsPerCoach: { SL: 5, '3A': 0 } });
  });

  it.each([
    [{ API_PORT: 'eighty' }, /API_PORT must be an integer/],
    [{ API_PORT: '70000' }, /API_PORT must be between/],
    [{ DATABASE_URL: 'mysql://x/y' }, /DATABASE_URL must use postgres/],
    [{ TEMPORAL_ADDRESS: 'localhost' }, /TEMPORAL_ADDRESS must look like host:port/],
    [{ JWT_SECRET: 'short' }, /at least 32/],
    [{ NODE_ENV: 'production' }, /JWT_SECRET must be set in production/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be one of/],
    [{ NODE_ENV: 'production', JWT_SECRET: 'a-production-jwt-secret-0123456789abcdef' }, /TICKET_SIGNING_KEY must be set in production/],
    [{ TICKET_SIGNING_KEY: 'short' }, /TICKET_SIGNING_KEY must be at least 32/],
    [{ RAC_BERTHS_PER_COACH: 'XX:3' }, /RAC_BERTHS_PER_COACH must look like/],
    [{ RAC_BERTHS_PER_COACH: 'SL=3' }, /RAC_BERTHS_PER_COACH must look like/],
    [{ TICKET_SIGNING_PREVIOUS_KEYS: 'an-old-ticket-key-0123456789abcdefghij,short' }, /TICKET_SIGNING_PREVIOUS_KEYS must be keys of at least 32/],
  ])('fails fast on %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('signs tickets with TICKET_SIGNING_KEY and verifies with the retired keys too', () => {
    expect(loadConfig({}).tickets.keys).toEqual({ current: DEV_TICKET_SIGNING_KEY, previous: [] });
    const c = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-jwt-secret-0123456789abcdef',
      TICKET_SIGNING_KEY: 'the-ticket-signing-key-0123456789abcdef',
      TICKET_SIGNING_PREVIOUS_KEYS: ' old-ticket-key-one-0123456789abcdefghij , old-ticket-key-two-0123456789abcdefghij ',
    });
    expect(c.tickets.keys).toEqual({
      current: 'the-ticket-signing-key-0123456789abcdef',
      previous: ['old-ticket-key-one-0123456789abcdefghij', 'old-ticket-key-two-0123456789abcdefghij'],
    });
  });

  it('never shows secrets when logged', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://app:hunter2@db:5432/railbook',
      SMTP_URL: 'smtp://u:pw@mail:25',
      TICKET_SIGNING_PREVIOUS_KEYS: 'old-ticket-key-one-0123456789abcdefghij',
    });
    const shown = JSON.stringify(redactedConfig(c));
    expect(shown).not.toContain(DEV_TICKET_SIGNING_KEY);
    expect(shown).not.toContain('old-ticket-key-one');
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain(':pw@');
    expect(shown).not.toContain(DEV_JWT_SECRET);
  });
});
