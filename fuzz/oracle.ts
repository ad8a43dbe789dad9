// What a good answer to a bad request is, as pure rules: no 5xx, no hang, an
// error body of the documented shape whose code is one the README lists and
// whose status is that code's status, a status the route documents (or one any
// route may give), and, where the request says so, the answer it must get
// (a bad token is 401, someone else's PNR is 404/403).

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type Outcome =
  | { kind: 'answer'; answer: Answer; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'network'; error: string; ms: number }
  /** The HTTP client refused to send it (e.g. a header byte Node will not write): not the server's doing. */
  | { kind: 'not-sent'; error: string };

export interface Expectation {
  statuses: number[];
  codes?: string[];
  why: string;
}

export type ViolationKind =
  | 'server-error'
  | 'hang'
  | 'no-answer'
  | 'error-shape'
  | 'undocumented-code'
  | 'status-code-mismatch'
  | 'status-not-documented'
  | 'unexpected-answer';

export interface Verdict {
  kind: ViolationKind;
  detail: string;
}

export interface Rules {
  /** Code -> status, from api/errors.ts ERROR_STATUS. */
  errorStatus: Readonly<Record<string, number>>;
  /** The codes the README documents. */
  documentedCodes: ReadonlySet<string>;
}

/**
 * Answers any route may give whatever it documents: transport-level refusals
 * (no such route, body not JSON or too big, wrong media type) and the rate limit.
 */
const ANY_ROUTE: Record<number, string[]> = {
  400: ['INVALID_JSON', 'BAD_REQUEST'],
  404: ['NOT_FOUND'],
  408: ['REQUEST_TIMEOUT'],
  413: ['PAYLOAD_TOO_LARGE'],
  414: ['URI_TOO_LONG'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  417: ['EXPECTATION_FAILED'],
  429: ['RATE_LIMITED'],
  431: ['HEADERS_TOO_LARGE'],
};

/** The codes listed in the README's "Error codes:" paragraph. */
export function documentedCodesFromReadme(readme: string): Set<string> {
  const start = readme.indexOf('Error codes:');
  if (start < 0) throw new Error('README has no "Error codes:" paragraph');
  const end = readme.indexOf('\n\n', start);
  const paragraph = readme.slice(start, end < 0 ? undefined : end);
  return new Set([...paragraph.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1]!));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorCodeOf(body: unknown): { code: string } | { problem: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: 'body is not a JSON object' };
  const { error, requestId } = body as { error?: unknown; requestId?: unknown };
  if (typeof requestId !== 'string' || requestId === '') return { problem: 'requestId missing or not a string' };
  if (typeof error !== 'object' || error === null) return { problem: 'error missing or not an object' };
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return { problem: 'error.code missing or not a string' };
  if (typeof message !== 'string') return { problem: 'error.message missing or not a string' };
  return { code };
}

export function judge(
  outcome: Outcome,
  request: { method: string; documentedStatuses: number[]; expect?: Expectation; mayBeCutOff?: boolean },
  rules: Rules,
): Verdict[] {
  if (outcome.kind === 'not-sent') return [];
  if (outcome.kind === 'timeout') return [{ kind: 'hang', detail: `no answer within ${outcome.ms} ms` }];
  if (outcome.kind === 'network') {
    // A server may answer an oversized request (413/431) and close before the client has finished sending it.
    return request.mayBeCutOff ? [] : [{ kind: 'no-answer', detail: `connection failed before an answer: ${outcome.error}` }];
  }
  const { status, body, headers } = outcome.answer;
  const verdicts: Verdict[] = [];

  let code: string | undefined;
  // A HEAD answer has no body to check; its status still counts.
  if (status >= 400 && request.method !== 'HEAD') {
    const type = String(headers['content-type'] ?? '');
    const parsed = type.includes('application/json') ? parseJson(body) : undefined;
    const found = parsed === undefined ? { problem: `not a JSON body (content-type "${type}")` } : errorCodeOf(parsed);
    if ('problem' in found) {
      verdicts.push({ kind: 'error-shape', detail: `${found.problem}: ${body.slice(0, 200)}` });
    } else {
      code = found.code;
      if (!(code in rules.errorStatus) || !rules.documentedCodes.has(code)) {
        verdicts.push({ kind: 'undocumented-code', detail: `code ${code} is not in the README's list of error codes` });
      } else if (rules.errorStatus[code] !== status) {
        verdicts.push({ kind: 'status-code-mismatch', detail: `code ${code} is ${rules.errorStatus[code]}, answered ${status}` });
      }
    }
  }

  // A 503 SERVICE_UNAVAILABLE with Retry-After is the API's defined answer when a dependency is too slow
  // (e.g. one booking's actor behind many concurrent updates): not a defect of input handling. Any other 5xx is.
  const unavailable = status === 503 && code === 'SERVICE_UNAVAILABLE' && headers['retry-after'] !== undefined;
  if (status >= 500 && !unavailable) verdicts.push({ kind: 'server-error', detail: `status ${status}` });

  const generic = ANY_ROUTE[status];
  const genericOk = generic !== undefined && (code === undefined ? request.method === 'HEAD' : generic.includes(code));
  if (status < 500 && !request.documentedStatuses.includes(status) && !genericOk) {
    verdicts.push({
      kind: 'status-not-documented',
      detail: `${status}${code ? ` ${code}` : ''} is not among this route's documented statuses ${request.documentedStatuses.join(', ')}`,
    });
  }

  const e = request.expect;
  // The rate limit may refuse anything first; a 429 never breaks an expectation.
  if (e && status !== 429) {
    const statusOk = e.statuses.includes(status);
    const codeOk = !e.codes || (code !== undefined && e.codes.includes(code));
    if (!statusOk || !codeOk) {
      verdicts.push({
        kind: 'unexpected-answer',
        detail: `${e.why}: expected ${e.statuses.join('/')}${e.codes ? ` ${e.codes.join('/')}` : ''}, got ${status}${code ? ` ${code}` : ''}`,
      });
    }
  }
  return verdicts;
}
