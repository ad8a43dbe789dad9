// Bearer tokens, good and bad, made by hand: the fuzzer needs tokens no JWT
// library would sign (alg none, tampered payloads, wrong secrets) as well as
// the staff tokens and expired ones only the API's own secret can sign.
import { createHmac } from 'node:crypto';

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

export function signJwt(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export interface Identity {
  sub: number;
  email: string;
  role: 'traveller' | 'support' | 'admin';
}

const now = () => Math.floor(Date.now() / 1000);

/** A token the API accepts, like the ones it signs itself. */
export const validToken = (who: Identity, secret: string) => signJwt({ ...who, iat: now(), exp: now() + 12 * 3600 }, secret);

/** Tokens that must all be refused with 401 UNAUTHORIZED, by name. */
export function badTokens(who: Identity, secret: string, validTokenOfWho: string): Record<string, string> {
  const [head, payload, sig] = validTokenOfWho.split('.') as [string, string, string];
  const otherPayload = b64url(JSON.stringify({ ...who, role: 'admin', iat: now(), exp: now() + 3600 }));
  return {
    expired: signJwt({ ...who, iat: now() - 7200, exp: now() - 3600 }, secret),
    notYetValid: signJwt({ ...who, iat: now(), nbf: now() + 3600, exp: now() + 7200 }, secret),
    wrongSecret: signJwt({ ...who, iat: now(), exp: now() + 3600 }, `${secret}-but-not-quite`),
    algNone: `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`,
    tamperedPayload: `${head}.${otherPayload}.${sig}`,
    truncatedSignature: `${head}.${payload}.${sig.slice(0, -4)}`,
    noSignature: `${head}.${payload}`,
    hs512: signJwt({ ...who, iat: now(), exp: now() + 3600 }, secret, { alg: 'HS512', typ: 'JWT' }),
    garbage: 'not-a-jwt',
    threeDots: '...',
    base64Junk: `${b64url('{')}.${b64url('}')}.${b64url('x')}`,
  };
}
