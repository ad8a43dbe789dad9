import jwt from '@fastify/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors';

export type Role = 'traveller' | 'support' | 'admin';
export interface AuthUser {
  sub: number;
  email: string;
  role: Role;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AuthUser;
    user: AuthUser;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void>;
    requireRole(...roles: Role[]): (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

export default fp<{ secret: string; expiresIn: string }>(
  async (app, opts) => {
    await app.register(jwt, { secret: opts.secret, sign: { expiresIn: opts.expiresIn } });
    const authenticate = async (req: FastifyRequest) => {
      try {
        await req.jwtVerify();
      } catch {
        throw new AppError('UNAUTHORIZED', 'a valid bearer token is required');
      }
    };
    app.decorate('authenticate', authenticate);
    app.decorate('requireRole', (...roles: Role[]) => async (req: FastifyRequest) => {
      await authenticate(req);
      if (!roles.includes(req.user.role)) throw new AppError('FORBIDDEN', `requires role ${roles.join(' or ')}`);
    });
  },
  { name: 'auth' },
);
