import { hashPassword } from '../../api/security/password';
import { createUser } from '../../db/repositories/users';
import { uniqueEmail } from './app';
import { api, type Stack } from './stack';

/** A support or admin account (created directly: the API never grants roles) and its token. */
export async function staffToken(stack: Stack, role: 'support' | 'admin'): Promise<{ token: string; userId: number }> {
  const email = uniqueEmail(role);
  const user = await createUser(stack.db.db, { email, name: role, role, passwordHash: await hashPassword('staff-password') });
  const res = await api(stack).post('/auth/login', { email, password: 'staff-password' });
  return { token: res.body.token, userId: user.id };
}
