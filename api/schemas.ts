// Shared JSON schemas (TypeBox) for routes and the OpenAPI document.
import { Type, type Static } from '@sinclair/typebox';
import { ERROR_STATUS } from './errors';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(ERROR_STATUS).map((c) => Type.Literal(c))),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
    requestId: Type.String(),
  },
  { $id: 'ErrorResponse', description: 'Every 4xx/5xx answer has this shape; switch on error.code.' },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorResponse')]));

export const StationCode = Type.String({ pattern: '^[A-Za-z0-9]{1,8}$', description: 'Station code, e.g. NDLS' });
export const TrainNumber = Type.String({ pattern: '^[0-9]{5}$', description: '5-digit train number, e.g. 12951' });
export const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD', examples: ['2026-12-24'] });

export const Station = Type.Object({
  code: Type.String(),
  name: Type.String(),
  state: Type.Union([Type.String(), Type.Null()]),
  zone: Type.Union([Type.String(), Type.Null()]),
  lat: Type.Union([Type.Number(), Type.Null()]),
  lon: Type.Union([Type.Number(), Type.Null()]),
});
export type StationT = Static<typeof Station>;

export const Role = Type.Union([Type.Literal('traveller'), Type.Literal('support'), Type.Literal('admin')]);
export const PublicUser = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
});
