// Activities are built once per worker from injected clients; workflows only
// see their types (proxyActivities<Activities>).
import { createNotificationActivities, type NotificationDeps } from './notifications';

export type ActivityDeps = NotificationDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotificationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
