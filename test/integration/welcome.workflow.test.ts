// End to end on the real dev server: the API registers a user, a real worker
// runs the welcome workflow, the email reaches a real SMTP server, and the
// notification log keeps it to one send even when the workflow runs again.
import { Client, Connection } from '@temporalio/client';
import type { WorkerGroup } from '../../workers/createWorker';
import { eq } from 'drizzle-orm';
import type { App } from '../../api/app';
import { userWelcomeWorkflowId } from '../../contracts';
import { createDb, type DbHandle } from '../../db/client';
import { notifications } from '../../db/schema';
import { createWorker } from '../../workers/createWorker';
import { testApp, uniqueEmail } from '../helpers/app';
import { quietTemporalRuntime, testConfig, uniqueTaskQueue } from '../helpers/config';
import { startSmtpCatcher, type SmtpCatcher } from '../helpers/smtp';

let smtp: SmtpCatcher;
let app: App;
let worker: WorkerGroup;
let running: Promise<void>;
let closeDeps: () => Promise<void>;
let db: DbHandle;
let client: Client;
let connection: Connection;

beforeAll(async () => {
  quietTemporalRuntime();
  smtp = await startSmtpCatcher();
  const overrides = { SMTP_URL: smtp.url, TEMPORAL_TASK_QUEUE: uniqueTaskQueue('welcome') };
  const config = testConfig(overrides);
  ({ worker, closeDeps } = await createWorker(config));
  running = worker.run();
  app = await testApp(overrides);
  db = createDb(config.databaseUrl, { max: 2 });
  connection = await Connection.connect({ address: config.temporal.address });
  client = new Client({ connection, namespace: config.temporal.namespace });
});

afterAll(async () => {
  // Stop the worker first: a worker left polling keeps jest alive after the server is gone.
  if (worker) {
    worker.shutdown();
    await running;
    await closeDeps();
  }
  await app?.close();
  await connection?.close();
  await db?.close();
  await smtp?.close();
});

it('sends one welcome email per new account, even when the workflow runs twice', async () => {
  const email = uniqueEmail('welcome');
  const reg = await app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: 'password1', name: 'Meera' } });
  expect(reg.statusCode).toBe(201);
  const userId: number = reg.json().user.id;

  const handle = client.workflow.getHandle(userWelcomeWorkflowId(userId));
  expect(await handle.result()).toMatchObject({ status: 'sent' });
  const mail = await smtp.waitFor((m) => m.subject === 'Welcome to Railbook' && m.text?.includes('Meera') === true);
  expect((mail.to as { text: string }).text).toBe(email);

  // A second run of the same logical message (e.g. a reset) must not mail again.
  const rerun = await client.workflow.execute('userWelcomeWorkflow', {
    taskQueue: app.config.temporal.taskQueue,
    workflowId: `${userWelcomeWorkflowId(userId)}-rerun`,
    args: [{ userId, email, name: 'Meera' }],
  });
  expect(rerun).toMatchObject({ status: 'already-sent' });
  expect(smtp.messages.filter((m) => (m.to as { text: string }).text === email)).toHaveLength(1);

  const rows = await db.db.select().from(notifications).where(eq(notifications.userId, userId));
  expect(rows).toEqual([expect.objectContaining({ kind: 'welcome', status: 'sent', recipient: email, attempts: 1 })]);
});
