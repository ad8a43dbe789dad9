// The fuzzer's view of the API: every operation of the OpenAPI document served
// at /docs/json, with its parameters, body schema, security and the statuses
// it documents ($refs resolved, so generators and the oracle see plain schemas).

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
  $ref?: string;
}

export interface Param {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** "POST /bookings/{pnr}/payment": the key of every per-route figure. */
  id: string;
  method: string;
  /** OpenAPI path template, e.g. /bookings/{pnr}. */
  path: string;
  pathParams: Param[];
  query: Param[];
  headers: Param[];
  body: { schema: JsonSchema; required: boolean } | null;
  secured: boolean;
  /** Statuses the document lists for this operation. */
  statuses: number[];
}

interface RawParam {
  in: string;
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface RawOperation {
  parameters?: RawParam[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Replaces every local $ref with the schema it names. */
function deref(schema: JsonSchema, defs: Record<string, JsonSchema>, seen: string[] = []): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    const target = defs[name];
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    if (seen.includes(name)) return {}; // a recursive schema: anything below this depth
    return deref(target, defs, [...seen, name]);
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, deref(v, defs, seen)]));
  }
  if (schema.items) out.items = deref(schema.items, defs, seen);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (list) out[key] = list.map((s) => deref(s, defs, seen));
  }
  return out;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const defs = doc.components?.schemas ?? {};
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const params = (raw.parameters ?? []).map((p) => ({ ...p, schema: deref(p.schema ?? {}, defs) }));
      const pick = (where: string): Param[] =>
        params.filter((p) => p.in === where).map((p) => ({ name: p.name, required: p.required === true || where === 'path', schema: p.schema }));
      const json = raw.requestBody?.content?.['application/json']?.schema;
      ops.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: pick('path'),
        query: pick('query'),
        headers: pick('header'),
        body: json ? { schema: deref(json, defs), required: raw.requestBody?.required === true } : null,
        secured: (raw.security ?? []).length > 0,
        statuses: Object.keys(raw.responses ?? {})
          .map(Number)
          .filter((n) => Number.isInteger(n)),
      });
    }
  }
  return ops;
}

export async function fetchOperations(baseUrl: string): Promise<Operation[]> {
  const res = await fetch(`${baseUrl}/docs/json`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /docs/json answered ${res.status}`);
  return operationsOf((await res.json()) as OpenApiDocument);
}
