import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { userWelcomeWorkflowId } from '../../contracts';
import { EmailTakenError, createUser, findUserByEmail, findUserById } from '../../db/repositories/users';
import { audit } from '../../db/repositories/audit';
import type { userWelcomeWorkflow } from '../../workflows';
import { AppError } from '../errors';
import { loginLimit, registrationLimit } from '../plugins/rateLimit';
import { PublicUser, Text, errorResponses } from '../schemas';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../security/password';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 128 });
const TokenResponse = Type.Object({ token: Type.String(), user: PublicUser });

const auth: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/auth/register',
    {
      config: { rateLimit: registrationLimit(app.config) },
      schema: {
        tags: ['auth'],
        summary: 'Create a traveller account',
        body: Type.Object(
          { email: Email, password: Password, name: Text({ minLength: 1, maxLength: 100, nonBlank: true }) },
          { additionalProperties: false },
        ),
        response: { 201: TokenResponse, ...errorResponses(400, 409, 429) },
      },
    },
    async (req, reply) => {
      const { email, password, name } = req.body;
      let user;
      try {
        user = await createUser(app.db, {
          email: email.trim(),
          name: name.trim(),
          passwordHash: await hashPassword(password),
          role: 'traveller',
        });
      } catch (err) {
        if (err instanceof EmailTakenError) throw new AppError('EMAIL_TAKEN', 'an account with this email already exists');
        throw err;
      }
      await audit(app.db, { actor: `user:${user.id}`, action: 'user.register', entity: `user:${user.id}` });
      // The welcome mail is a courtesy: a Temporal outage must not fail a registration.
      await app.temporal.workflow
        .start<typeof userWelcomeWorkflow>('userWelcomeWorkflow', {
          taskQueue: app.config.temporal.taskQueue,
          workflowId: userWelcomeWorkflowId(user.id),
          args: [{ userId: user.id, email: user.email, name: user.name }],
        })
        .catch((err: Error) => req.log.warn({ err: err.message, userId: user.id }, 'welcome workflow not started'));
      const publicUser = { id: user.id, email: user.email, name: user.name, role: user.role };
      const token = app.jwt.sign({ sub: user.id, email: user.email, role: user.role });
      return reply.status(201).send({ token, user: publicUser });
    },
  );

  app.post(
    '/auth/login',
    {
      config: { rateLimit: loginLimit(app.config) },
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for a bearer token',
        body: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: { 200: TokenResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (req) => {
      const { email, password } = req.body;
      const user = await findUserByEmail(app.db, email.trim());
      if (!user) {
        await burnPasswordCheck(password);
        throw new AppError('INVALID_CREDENTIALS', 'email or password is wrong');
      }
      if (!(await verifyPassword(password, user.passwordHash))) {
        throw new AppError('INVALID_CREDENTIALS', 'email or password is wrong');
      }
      const token = app.jwt.sign({ sub: user.id, email: user.email, role: user.role });
      return { token, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
    },
  );

  app.get(
    '/me',
    {
      onRequest: [app.authenticate],
      schema: {
        tags: ['auth'],
        summary: 'The account behind the bearer token',
        security: [{ bearerAuth: [] }],
        response: { 200: PublicUser, ...errorResponses(401) },
      },
    },
    async (req) => {
      const user = await findUserById(app.db, req.user.sub);
      if (!user) throw new AppError('UNAUTHORIZED', 'the account behind this token no longer exists');
      return { id: user.id, email: user.email, name: user.name, role: user.role };
    },
  );
};

export default auth;
