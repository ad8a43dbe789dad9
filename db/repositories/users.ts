import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { users, type NewUser, type User } from '../schema';

export class EmailTakenError extends Error {
  override name = 'EmailTakenError';
}

export async function createUser(db: DbOrTx, row: NewUser): Promise<User> {
  try {
    const [created] = await db.insert(users).values(row).returning();
    if (!created) throw new Error('insert returned no row');
    return created;
  } catch (err) {
    const pgErr = (err as { cause?: { code?: string; constraint?: string } }).cause ?? (err as { code?: string; constraint?: string });
    if (pgErr.code === '23505' && pgErr.constraint === 'users_email_uq') throw new EmailTakenError(row.email);
    throw err;
  }
}

export async function findUserByEmail(db: DbOrTx, email: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
  return row;
}

export async function findUserById(db: DbOrTx, id: number): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function setUserRole(db: DbOrTx, id: number, role: User['role']): Promise<void> {
  await db.update(users).set({ role }).where(eq(users.id, id));
}
