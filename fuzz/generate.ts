// The generators: for each operation, a valid request (real train, real
// stations, the right token) and one mutation that breaks it in a named way.
// Request i of a run is drawn from its own seed (run seed and i), so any one
// of them can be drawn again alone (--only i) without drawing the rest.
import fc from 'fast-check';
import type { Expectation } from './oracle';
import type { JsonSchema, Operation } from './spec';
import { badTokens } from './tokens';
import { anyJson, badNumber, nastyString, typeOf, validValue, type Hints } from './values';
import { fuzzTrainBody, type World } from './world';

export interface FuzzRequest {
  index: number;
  /** The operation it aims at ("POST /bookings"). */
  op: string;
  /** What was broken ("body.drop", "auth.expired", ...). */
  mutation: string;
  method: string;
  /** Path and query, sent as they are (already percent-encoded, or deliberately not). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  expect?: Expectation;
  /** Too big to be read whole: the server may close the connection after (or instead of) answering. */
  mayBeCutOff?: boolean;
  documentedStatuses: number[];
}

type Body = { json: unknown } | { raw: string } | null;

interface Draft {
  method: string;
  /** Path parameter values, raw (already encoded). */
  params: Record<string, string>;
  suffix: string;
  /** Query string pairs, raw ("k=v"). */
  query: string[];
  headers: Record<string, string>;
  body: Body;
  expect?: Expectation;
}

/** Percent-encodes like encodeURIComponent, and lone surrogates as the UTF-8 Node would send (U+FFFD) instead of throwing. */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}
const CARDS = ['4111 1111 1111 1111', '4000 0000 0000 0002', '4000 0000 0000 9995', '4000 0000 0000 0119', '4111111111111111'];

function hintsFor(op: Operation, w: World): Hints {
  const admin = op.path.startsWith('/admin');
  // A valid PUT creates the train it names: admin requests name the fuzzer's own train or ones that never exist.
  const trains = op.method === 'PUT' ? [w.fuzzTrain] : admin ? [w.fuzzTrain, '00000', '00001'] : [w.train.number, w.fuzzTrain, '00000', '10103', '12952'];
  const dates = admin ? w.dates.slice(-1) : [w.train.date, ...w.dates];
  const stations = [w.train.from, w.train.to, ...w.train.stations.slice(1, 4), 'NDLS', 'ZZZZ9'];
  return (key) => {
    const last = key.split('.').at(-1)!;
    if (key === 'body.card.number') return fc.constantFrom(...CARDS);
    if (key === 'body.card.expYear') return fc.integer({ min: 2027, max: 2040 });
    if (key === 'body.stops') return fc.constant(fuzzTrainBody(w.train.stations).stops);
    if (key === 'body.coaches') return fc.integer({ min: 1, max: 3 }).map((count) => [{ classCode: 'SL', count }]);
    if (key === 'body.classCode') return fc.constantFrom(w.train.classCode, 'SL', '1A');
    if (key === 'header.idempotency-key') return fc.uuid();
    if (key === 'query.q') return fc.constantFrom('NDLS', 'mumbai', 'new del', 'a', w.train.from);
    if (key === 'body.email' && op.path === '/auth/register') return fc.uuid().map((u) => `fuzz.${u}@example.test`);
    if (key === 'body.email') return fc.constantFrom(w.a.email, w.b.email, 'nobody@example.test');
    if (key === 'body.password' && op.path === '/auth/login') return fc.constantFrom(w.a.password, 'wrong-password');
    if (last === 'number' || last === 'trainNumber') return fc.constantFrom(...trains);
    if (last === 'date' || last === 'runDate') return fc.constantFrom(...dates);
    if (['from', 'to', 'code', 'stationCode'].includes(last)) return fc.constantFrom(...stations);
    if (last === 'pnr') return w.pnrA ? fc.oneof(fc.constant(w.pnrA), fc.stringMatching(/^[0-9]{10}$/)) : fc.stringMatching(/^[0-9]{10}$/);
    return undefined;
  };
}

/** The token a valid request to this operation carries. */
function tokenFor(op: Operation, w: World): string | undefined {
  if (!op.secured) return undefined;
  if (op.path.startsWith('/admin')) return w.adminToken;
  if (op.path.startsWith('/support')) return w.supportToken;
  return w.a.token;
}

function baseline(op: Operation, w: World): fc.Arbitrary<Draft> {
  const hints = hintsFor(op, w);
  const params = fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, validValue(p.schema, `path.${p.name}`, hints).map((v) => enc(String(v)))])));
  const query = fc.record(
    Object.fromEntries(op.query.map((p) => [p.name, validValue(p.schema, `query.${p.name}`, hints)])),
    { requiredKeys: op.query.filter((p) => p.required).map((p) => p.name) },
  );
  const headers = fc.record(
    Object.fromEntries(op.headers.map((p) => [p.name, validValue(p.schema, `header.${p.name}`, hints).map(String)])),
    { requiredKeys: op.headers.filter((p) => p.required).map((p) => p.name) },
  );
  const body: fc.Arbitrary<Body> = op.body ? validValue(op.body.schema, 'body', hints).map((json) => ({ json })) : fc.constant(null);
  const token = tokenFor(op, w);
  return fc.record({ params, query, headers, body }).map((b) => ({
    method: op.method,
    params: b.params as Record<string, string>,
    suffix: '',
    query: Object.entries(b.query).map(([k, v]) => `${enc(k)}=${enc(String(v))}`),
    headers: { ...(b.headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: b.body,
  }));
}

// ---- body locations ----------------------------------------------------------------

type Key = string | number;
interface Loc {
  path: Key[];
  schema: JsonSchema;
  required: boolean;
  /** The enclosing object forbids other properties. */
  closed: boolean;
}

function locations(value: unknown, schema: JsonSchema, path: Key[] = [], out: Loc[] = []): Loc[] {
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => {
      out.push({ path: [...path, i], schema: schema.items!, required: false, closed: false });
      locations(v, schema.items!, [...path, i], out);
    });
  } else if (value && typeof value === 'object' && schema.properties) {
    for (const [k, v] of Object.entries(value)) {
      const s = schema.properties[k];
      if (!s) continue;
      out.push({ path: [...path, k], schema: s, required: (schema.required ?? []).includes(k), closed: schema.additionalProperties === false });
      locations(v, s, [...path, k], out);
    }
  }
  return out;
}

/** Where the value holds an object (not a null its schema also allows). */
function objects(value: unknown, schema: JsonSchema): Loc[] {
  const root: Loc = { path: [], schema, required: true, closed: false };
  const at = (path: Key[]) => path.reduce<unknown>((v, k) => (v as Record<Key, unknown>)[k], value);
  return [root, ...locations(value, schema)].filter((l) => {
    const v = at(l.path);
    return typeOf(l.schema) === 'object' && typeof v === 'object' && v !== null && !Array.isArray(v);
  });
}

function update(value: unknown, path: Key[], fn: (v: unknown) => unknown | typeof DELETE): unknown {
  if (path.length === 0) return fn(value);
  const [head, ...rest] = path as [Key, ...Key[]];
  const copy: Record<Key, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const next = update((copy as Record<Key, unknown>)[head], rest, fn);
  if (next === DELETE && rest.length === 0) {
    if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete (copy as Record<Key, unknown>)[head];
  } else {
    (copy as Record<Key, unknown>)[head] = next;
  }
  return copy;
}
const DELETE = Symbol('delete');
const setAt = (value: unknown, path: Key[], v: unknown) => update(value, path, () => v);

const pick = <T>(items: T[]) => fc.nat({ max: Math.max(items.length - 1, 0) }).map((i) => items[i]!);
const VALIDATION: Expectation = { statuses: [400], codes: ['VALIDATION_ERROR'], why: 'schema violation' };
const BAD_BODY: Expectation = { statuses: [400], why: 'body cannot be what the schema describes' };

// ---- mutations ------------------------------------------------------------------------

type Mutation = (d: Draft, op: Operation, w: World, ops: Operation[]) => fc.Arbitrary<Draft>;

const withJson = (d: Draft, json: unknown, expect?: Expectation): Draft => ({ ...d, body: { json }, expect });
const jsonOf = (d: Draft) => (d.body && 'json' in d.body ? d.body.json : {});

const bodyMutations: Record<string, Mutation> = {
  'body.drop': (d, op) => {
    const req = locations(jsonOf(d), op.body!.schema).filter((l) => l.required);
    if (!req.length) return fc.constant(d);
    return pick(req).map((l) => withJson(d, update(jsonOf(d), l.path, () => DELETE), VALIDATION));
  },
  'body.extra': (d, op) =>
    fc
      .tuple(pick(objects(jsonOf(d), op.body!.schema)), fc.constantFrom('extra', 'id', 'role', 'userId', 'isAdmin', 'status', 'amountPaid', 'constructor', ''), anyJson)
      .map(([l, k, v]) => withJson(d, update(jsonOf(d), l.path, (o) => ({ ...(o as object), [k]: v })), l.schema.additionalProperties === false ? VALIDATION : undefined)),
  'body.wrongType': (d, op) => {
    const locs = locations(jsonOf(d), op.body!.schema);
    if (!locs.length) return anyJson.map((v) => withJson(d, v));
    return fc.tuple(pick(locs), anyJson).map(([l, v]) => withJson(d, setAt(jsonOf(d), l.path, v)));
  },
  'body.outOfRange': (d, op) => {
    const locs = locations(jsonOf(d), op.body!.schema);
    if (!locs.length) return fc.constant(d);
    return pick(locs).chain((l) => {
      const t = typeOf(l.schema);
      if (t === 'integer' || t === 'number') return badNumber.map((v) => withJson(d, setAt(jsonOf(d), l.path, v)));
      if (t === 'string' && l.schema.maxLength !== undefined) {
        return fc.integer({ min: l.schema.maxLength + 1, max: l.schema.maxLength + 300 }).map((n) => withJson(d, setAt(jsonOf(d), l.path, 'x'.repeat(n)), VALIDATION));
      }
      if (t === 'array' && l.schema.maxItems !== undefined) {
        const n = l.schema.maxItems + 1;
        return fc.array(validValue(l.schema.items ?? {}, 'item', () => undefined), { minLength: n, maxLength: n }).map((items) => withJson(d, setAt(jsonOf(d), l.path, items), VALIDATION));
      }
      return fc.constantFrom('', [], {}).map((v) => withJson(d, setAt(jsonOf(d), l.path, v)));
    });
  },
  'body.nasty': (d, op) => {
    const strings = locations(jsonOf(d), op.body!.schema).filter((l) => typeOf(l.schema) === 'string');
    if (!strings.length) return nastyString.map((v) => withJson(d, v));
    return fc.tuple(pick(strings), nastyString).map(([l, v]) => withJson(d, setAt(jsonOf(d), l.path, v)));
  },
  'body.hugeField': (d, op) => {
    const locs = locations(jsonOf(d), op.body!.schema);
    const target = locs.length ? pick(locs).map((l) => l.path) : fc.constant(['huge'] as Key[]);
    return fc.tuple(target, fc.integer({ min: 1_000, max: 60_000 }), fc.constantFrom('a', 'é', '9', ' ')).map(([p, n, ch]) => withJson(d, setAt(jsonOf(d), p, ch.repeat(n))));
  },
  'body.tooLarge': (d) =>
    fc.integer({ min: 70_000, max: 400_000 }).map((n) =>
      withJson(d, { ...(jsonOf(d) as object), padding: 'p'.repeat(n) }, { statuses: [413], codes: ['PAYLOAD_TOO_LARGE'], why: 'body over the 64 kB limit' }),
    ),
  'body.notObject': (d) =>
    fc.constantFrom(null, 0, -1, 'text', true, [], [1], [null], ['a', 'b']).map((v) => withJson(d, v, BAD_BODY)),
  'body.arrayForObject': (d, op) =>
    pick(objects(jsonOf(d), op.body!.schema)).map((l) => withJson(d, update(jsonOf(d), l.path, (o) => [o]), BAD_BODY)),
  'body.brokenJson': (d) => {
    const text = JSON.stringify(jsonOf(d));
    const broken = [
      fc.nat({ max: Math.max(text.length - 2, 0) }).map((i) => text.slice(0, i + 1)),
      fc.constant(`${text.slice(0, -1)},}`),
      fc.constant(text.replace(/"/g, "'")),
      fc.constant(text.replace(/"([^"]+)":/g, '$1:')),
      fc.constant(`${text} trailing`),
      fc.constant(`// comment\n${text}`),
      fc.constant(text.replace(/:(\s*)("[^"]*"|\d+)/, ':NaN')),
      fc.constantFrom('{', '}', '[', '{"a":}', '{"a" 1}', '"unterminated', '\u0000', 'undefined', '{"a":1}{"b":2}', '\\', '{"\\uZZZZ":1}'),
    ];
    return fc.oneof(...broken).filter((t) => {
      try {
        JSON.parse(t);
        return false;
      } catch {
        return true;
      }
    }).map((raw) => ({ ...d, body: { raw }, headers: { ...d.headers, 'content-type': 'application/json' }, expect: { statuses: [400], codes: ['INVALID_JSON', 'BAD_REQUEST'], why: 'body is not JSON' } }));
  },
  'body.empty': (d) =>
    fc.constantFrom('', ' ', '\n').map((raw) => ({ ...d, body: { raw }, headers: { ...d.headers, 'content-type': 'application/json' } })),
  'body.contentType': (d) =>
    fc.constantFrom('application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'text/json', 'application/jsonx', 'image/png').map((type) => ({
      ...d,
      body: { raw: JSON.stringify(jsonOf(d)) },
      headers: { ...d.headers, 'content-type': type },
      expect: { statuses: [415], codes: ['UNSUPPORTED_MEDIA_TYPE'], why: `content-type ${type} is not JSON` },
    })),
  'body.oddContentType': (d) =>
    // text/plain is parsed as a string (Fastify's own parser), so it is refused by the schema, not as a media type.
    fc.constantFrom('text/plain', 'application/json; charset=utf-16', 'application/json;charset=latin1', 'APPLICATION/JSON', 'application/json; foo=bar', 'application/json, text/plain', ';', 'application/', '*/*').map((type) => ({
      ...d,
      body: { raw: JSON.stringify(jsonOf(d)) },
      headers: { ...d.headers, 'content-type': type },
    })),
  'body.deep': (d, op) => {
    const target = pick([[], ...locations(jsonOf(d), op.body!.schema).map((l) => l.path)]);
    return fc.tuple(target, fc.integer({ min: 500, max: 12_000 }), fc.boolean()).map(([path, depth, arrays]) => {
      const marker = '"__DEEP__"';
      const nested = arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const raw = JSON.stringify(setAt(jsonOf(d), path, '__DEEP__')).replace(marker, nested);
      return { ...d, body: { raw }, headers: { ...d.headers, 'content-type': 'application/json' }, expect: { statuses: [400, 413], why: 'body nested thousands deep' } };
    });
  },
  'body.protoKeys': (d) =>
    fc.constantFrom('"__proto__":{"role":"admin"}', '"constructor":{"prototype":{"role":"admin"}}', '"__proto__":null').map((inject) => {
      const text = JSON.stringify(jsonOf(d));
      const raw = text.startsWith('{') && text !== '{}' ? `{${inject},${text.slice(1)}` : `{${inject}}`;
      return { ...d, body: { raw }, headers: { ...d.headers, 'content-type': 'application/json' }, expect: { statuses: [400], why: 'prototype poisoning' } };
    }),
};

/** A body where the operation takes none. */
const unexpectedBody: Mutation = (d) =>
  fc.oneof(anyJson.map((v) => JSON.stringify(v)), fc.constantFrom('{', 'not json', '')).map((raw) => ({
    ...d,
    body: { raw },
    headers: { ...d.headers, 'content-type': 'application/json' },
  }));

const BAD_PATH_VALUES = ['abc', '1', '123456789012345', '-1234', '1e4', '12951.0', '%20', '%2F', '..', '.', '%00', '%E0%A4%A', '%', '%25', '%FF', '%C0%AF', '%EF%BF%BD', 'null', enc('１２９５１'), enc('١٢٩٥١'), enc("1' OR '1'='1"), enc('<x>')];

function patternOf(schema: JsonSchema): RegExp | null {
  return schema.pattern ? new RegExp(schema.pattern) : null;
}

function decodedOrNull(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

const pathMutations: Record<string, Mutation> = {
  'path.pattern': (d, op) =>
    fc.tuple(pick(op.pathParams), fc.oneof(fc.constantFrom(...BAD_PATH_VALUES), nastyString.map(enc), fc.integer({ min: 101, max: 3000 }).map((n) => '9'.repeat(n)))).map(([p, raw]) => {
      const re = patternOf(p.schema);
      const decoded = decodedOrNull(raw);
      const breaks = decoded === null || (re !== null && !re.test(decoded)) || (p.schema.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(decoded));
      return { ...d, params: { ...d.params, [p.name]: raw }, expect: breaks ? { statuses: [400, 404, 414], why: `path ${p.name} out of pattern (414 when longer than the router takes)` } : undefined };
    }),
  'path.unknown': (d, op) =>
    pick(op.pathParams).chain((p) => {
      const values: Record<string, fc.Arbitrary<string>> = {
        number: fc.constantFrom('00000', '00002', '99999'),
        trainNumber: fc.constantFrom('00000', '00002'),
        pnr: fc.stringMatching(/^[0-9]{10}$/),
        code: fc.constantFrom('ZZZZ9', 'Q', 'QQQQQQQQ'),
        runDate: fc.constantFrom('1999-01-01', '2999-12-31', '2027-02-29', '2026-13-01', '2026-00-10', '0000-01-01'),
      };
      return (values[p.name] ?? fc.constant('unknown')).map((v) => ({ ...d, params: { ...d.params, [p.name]: enc(v) } }));
    }),
};

const suffixMutation: Mutation = (d) => fc.constantFrom('/', '/zz/zz', '//', '/..', '%2F', '/%2e%2e', '?', '#frag', ';jsessionid=1').map((suffix) => ({ ...d, suffix }));

const queryMutations: Record<string, Mutation> = {
  'query.drop': (d, op) => {
    // A parameter with a default is filled in by the server when missing.
    const required = op.query.filter((p) => p.required && p.schema.default === undefined).map((p) => p.name);
    if (!required.length) return fc.constant(d);
    return pick(required).map((name) => ({ ...d, query: d.query.filter((q) => !q.startsWith(`${enc(name)}=`)), expect: VALIDATION }));
  },
  'query.wrongType': (d, op) =>
    fc.tuple(pick(op.query), fc.oneof(badNumber.map(String), nastyString, fc.constantFrom('', '[]', '{}', 'true'))).map(([p, v]) => ({
      ...d,
      query: [...d.query.filter((q) => !q.startsWith(`${enc(p.name)}=`)), `${enc(p.name)}=${enc(v)}`],
    })),
  'query.repeat': (d, op) => pick(op.query).map((p) => ({ ...d, query: [...d.query, `${enc(p.name)}=a`, `${enc(p.name)}=NDLS`, `${enc(p.name)}[]=1`] })),
};

const anyQueryMutations: Record<string, Mutation> = {
  'query.extra': (d) =>
    fc.constantFrom('extra=1', '__proto__=x', '__proto__[role]=admin', 'constructor[prototype][x]=1', 'a[b]=c', 'limit[]=1', '=', '&&&', 'x').map((q) => ({ ...d, query: [...d.query, q] })),
  'query.huge': (d) =>
    fc.tuple(fc.integer({ min: 1_000, max: 12_000 }), fc.constantFrom('q', 'from', 'limit', 'junk')).map(([n, k]) => ({ ...d, query: [...d.query, `${k}=${'a'.repeat(n)}`] })),
  'query.manyParams': (d) => fc.integer({ min: 100, max: 1_500 }).map((n) => ({ ...d, query: [...d.query, ...Array.from({ length: n }, (_, i) => `p${i}=${i}`)] })),
  'query.badEncoding': (d) => fc.constantFrom('%ZZ', '%', 'q=%', 'q=%E0%A4%A', 'q=%00', 'date=%FF', '%%%%=1').map((q) => ({ ...d, query: [...d.query, q] })),
  'query.overHeaderLimit': (d) => fc.integer({ min: 17_000, max: 80_000 }).map((n) => ({ ...d, query: [...d.query, `junk=${'b'.repeat(n)}`] })),
};

const UNAUTHORIZED: Expectation = { statuses: [401], codes: ['UNAUTHORIZED'], why: 'bad or missing bearer token' };

function authMutations(op: Operation, w: World): Record<string, Mutation> {
  if (!op.secured) {
    // A public route must ignore a bad token, not choke on it.
    return { 'auth.onPublic': (d) => fc.constantFrom(...Object.values(badTokens({ sub: w.a.id, email: w.a.email, role: 'traveller' }, w.secret, w.a.token))).map((t) => ({ ...d, headers: { ...d.headers, authorization: `Bearer ${t}` } })) };
  }
  const bad = badTokens({ sub: w.a.id, email: w.a.email, role: 'traveller' }, w.secret, w.a.token);
  const forms = ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Bearer  ${w.a.token}`, `Bearer ${w.a.token} extra`, `Token ${w.a.token}`, w.a.token, `Bearer ${'x'.repeat(9000)}`];
  const out: Record<string, Mutation> = {
    'auth.badToken': (d) => pick(Object.entries(bad)).map(([, t]) => ({ ...d, headers: { ...d.headers, authorization: `Bearer ${t}` }, expect: UNAUTHORIZED })),
    'auth.badHeader': (d) => pick(forms).map((h) => ({ ...d, headers: { ...d.headers, authorization: h }, expect: UNAUTHORIZED })),
    'auth.none': (d) => {
      const headers = { ...d.headers };
      delete headers.authorization;
      return fc.constant({ ...d, headers, expect: UNAUTHORIZED });
    },
  };
  const staffOnly = op.path.startsWith('/support') || op.path.startsWith('/admin');
  if (staffOnly) {
    const weaker = op.path.startsWith('/admin') ? [w.a.token, w.b.token, w.supportToken] : [w.a.token, w.b.token];
    out['auth.role'] = (d) =>
      pick(weaker).map((t) => ({ ...d, headers: { ...d.headers, authorization: `Bearer ${t}` }, expect: { statuses: [403], codes: ['FORBIDDEN'], why: 'role too weak for a staff route' } }));
  } else if (op.pathParams.some((p) => p.name === 'pnr') && w.pnrA) {
    // B asks for A's booking: it must read as absent (404) or forbidden (403), never as B's.
    out['auth.otherUser'] = (d) =>
      fc.constant({
        ...d,
        params: { ...d.params, pnr: w.pnrA! },
        headers: { ...d.headers, authorization: `Bearer ${w.b.token}` },
        expect: { statuses: [404, 403], codes: ['BOOKING_NOT_FOUND', 'FORBIDDEN'], why: "another traveller's PNR" },
      });
  }
  return out;
}

const headerMutations: Record<string, Mutation> = {
  'header.junk': (d) =>
    fc
      .tuple(
        fc.constantFrom('accept', 'accept-encoding', 'accept-language', 'x-request-id', 'x-forwarded-for', 'cookie', 'if-none-match', 'range', 'expect', 'x-fuzz'),
        fc.oneof(fc.constantFrom('application/xml', '*/*;q=abc', 'gzip, br, zstd, x', 'bytes=0-1,9-', '100-continue', '::1, 999.1.1.1, junk', 'é'), fc.integer({ min: 100, max: 8_000 }).map((n) => 'h'.repeat(n))),
      )
      .map(([k, v]) => ({ ...d, headers: { ...d.headers, [k]: v } })),
};

function idempotencyMutation(op: Operation): Record<string, Mutation> {
  if (!op.headers.some((h) => h.name === 'idempotency-key')) return {};
  return {
    'header.idempotencyKey': (d) =>
      fc.oneof(fc.constantFrom('', ' ', 'a b', '../x', 'k'.repeat(129), 'ключ', '\t'), nastyString.filter((s) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s))).map((key) => ({
        ...d,
        headers: { ...d.headers, 'idempotency-key': key },
        expect: /^[\w.:-]{1,128}$/.test(key) ? undefined : VALIDATION,
      })),
    // One key for the whole run, with bodies that differ: the first claims it, later ones must replay or be refused.
    'header.idempotencyReuse': (d) => fc.constant({ ...d, headers: { ...d.headers, 'idempotency-key': 'fuzz-one-key-for-many-bodies' } }),
  };
}

const WRONG_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE'];

function methodMutation(op: Operation, ops: Operation[]): Record<string, Mutation> {
  const documented = new Set(ops.filter((o) => o.path === op.path).map((o) => o.method));
  if (documented.has('GET')) documented.add('HEAD'); // Fastify answers HEAD for every GET route
  const wrong = WRONG_METHODS.filter((m) => !documented.has(m));
  return {
    'method.wrong': (d) => pick(wrong).map((method) => ({ ...d, method, expect: { statuses: [404, 405], why: `${method} is not a method of this path` } })),
  };
}

/** Every mutation that applies to an operation, by name. */
export function mutationsFor(op: Operation, w: World, ops: Operation[]): Record<string, Mutation> {
  return {
    ...(op.body ? bodyMutations : { 'body.unexpected': unexpectedBody }),
    // A PUT to a train that does not exist creates it: no "unknown" trains for PUT.
    ...(op.pathParams.length ? (op.method === 'PUT' ? { 'path.pattern': pathMutations['path.pattern']! } : pathMutations) : {}),
    ...(op.query.length ? queryMutations : {}),
    ...anyQueryMutations,
    'path.suffix': suffixMutation,
    ...authMutations(op, w),
    ...headerMutations,
    ...idempotencyMutation(op),
    ...methodMutation(op, ops),
  };
}

function render(op: Operation, d: Draft, index: number, mutation: string): FuzzRequest {
  let path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => d.params[name] ?? '');
  path += d.suffix;
  if (d.query.length) path += `${path.includes('?') ? '&' : '?'}${d.query.join('&')}`;
  const headers = { ...d.headers };
  let body: string | undefined;
  if (d.body && 'json' in d.body) {
    body = JSON.stringify(d.body.json);
    headers['content-type'] ??= 'application/json';
  } else if (d.body) {
    body = d.body.raw;
  }
  const mayBeCutOff = mutation === 'body.tooLarge' || mutation === 'query.overHeaderLimit';
  return { index, op: op.id, mutation, method: d.method, path, headers, body, expect: d.expect, mayBeCutOff, documentedStatuses: op.statuses };
}

/** A 32-bit seed of its own for request `index` of the run seeded `seed`. */
export const seedOf = (seed: number, index: number) => (seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0;

export class Generator {
  private readonly cache = new Map<string, { base: fc.Arbitrary<Draft>; mutations: [string, Mutation][] }>();

  constructor(
    private readonly ops: Operation[],
    private readonly world: World,
  ) {
    if (!ops.length) throw new Error('the OpenAPI document has no operations');
  }

  /** Request `index` of the run: the operations in turn, so each gets its share. */
  request(seed: number, index: number): FuzzRequest {
    const op = this.ops[index % this.ops.length]!;
    let entry = this.cache.get(op.id);
    if (!entry) {
      entry = { base: baseline(op, this.world), mutations: Object.entries(mutationsFor(op, this.world, this.ops)) };
      this.cache.set(op.id, entry);
    }
    const { base, mutations } = entry;
    const arb = fc.tuple(base, pick(mutations)).chain(([draft, [name, mutate]]) => mutate(draft, op, this.world, this.ops).map((d) => render(op, d, index, name)));
    return fc.sample(arb, { seed: seedOf(seed, index), numRuns: 1 })[0]!;
  }
}
