// Valid values from a JSON schema (the starting point every mutation breaks),
// steered by hints so "valid" also means real: a train that exists, a station
// on its route, the fuzzer's own booking. And the palettes of bad values.
import fc from 'fast-check';
import type { JsonSchema } from './spec';

/** A hint for a field by its dotted key (body.card.number, path.pnr, query.q), or undefined to generate from the schema alone. */
export type Hints = (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;

export function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? schema.type[0];
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts?.length) return typeOf(alts[0]!);
  return undefined;
}

function stringArb(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, 40);
  if (schema.format === 'date') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (schema.format === 'email') return fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/).map((l) => `${l}@example.test`);
  if (schema.pattern) {
    const re = new RegExp(schema.pattern, 'u'); // as ajv compiles it
    const fits = (s: string) => s.length >= min && s.length <= (schema.maxLength ?? Infinity) && re.test(s);
    try {
      // Patterns like \S match anywhere: keep the result inside the length bounds.
      return fc.stringMatching(re).filter(fits);
    } catch {
      // fast-check cannot build strings for every regex (lookaheads): draw plain strings that happen to match.
      return fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(min, max) }).filter(fits);
    }
  }
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

export function validValue(schema: JsonSchema, key: string, hints: Hints): fc.Arbitrary<unknown> {
  const hinted = hints(key, schema);
  if (hinted) return hinted;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alts = (schema.anyOf ?? schema.oneOf)?.filter((s) => s.type !== 'null');
  if (alts?.length) return fc.oneof(...alts.map((s) => validValue(s, key, hints)));
  switch (typeOf(schema)) {
    case 'string':
      return stringArb(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = validValue(schema.items ?? {}, `${key}[]`, hints);
      const constraints = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, Math.max(schema.minItems ?? 0, 3)) };
      return schema.uniqueItems ? fc.uniqueArray(item, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(item, constraints);
    }
    case 'object': {
      const props = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(s, `${key}.${k}`, hints)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    }
    default:
      return fc.constantFrom('x', 1, true);
  }
}

/** Strings that have broken parsers, databases and regexes before. */
export const NASTY_STRINGS = [
  '\u0000',
  'NDLS\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\ufeff',
  '\u202eevil',
  'e\u0301',
  '١٢٩٥١',
  '１２９５１',
  '१२९५१',
  'ＮＤＬＳ',
  '𝕋𝕖𝕤𝕥',
  '👨‍👩‍👧‍👦',
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  '%',
  '%%',
  '_',
  '\\',
  '../../etc/passwd',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '   ',
  '\t\n\r',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '0x10',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
);

/** Values of every JSON type, to put where another type belongs. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, '', 'x', [], {}, [1, 2], { a: 1 }, [[]], [{}], '12951', 1e308),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Numbers (and number-like strings) outside any sane range. */
export const badNumber: fc.Arbitrary<unknown> = fc.constantFrom(
  -1,
  -0,
  0.5,
  1.5,
  -1e308,
  1e308,
  2 ** 31,
  2 ** 53 + 2,
  -(2 ** 63),
  Number.MIN_VALUE,
  'NaN',
  'Infinity',
  '-Infinity',
  '1e3',
  ' 5',
  '0x1F',
  '',
  '5abc',
  '١',
);
