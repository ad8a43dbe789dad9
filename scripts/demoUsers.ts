// Development only: one account per role so a newcomer can try support and
// admin endpoints at once. The passwords are printed by `npm run dev`; they
// never exist outside NODE_ENV=development.
import { createUser, findUserByEmail } from '../db/repositories/users';
import type { Db } from '../db/client';
import { hashPassword } from '../api/security/password';

const DEMO = [
  { email: 'traveller@railbook.local', name: 'Demo Traveller', role: 'traveller', password: 'traveller-demo' },
  { email: 'support@railbook.local', name: 'Demo Support', role: 'support', password: 'support-demo' },
  { email: 'admin@railbook.local', name: 'Demo Admin', role: 'admin', password: 'admin-demo' },
] as const;

export async function ensureDemoUsers(db: Db): Promise<readonly (typeof DEMO)[number][]> {
  for (const u of DEMO) {
    if (await findUserByEmail(db, u.email)) continue;
    await createUser(db, { email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(u.password) });
  }
  return DEMO;
}
