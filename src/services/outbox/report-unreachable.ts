// Tells the admins, once per person, that the bot cannot reach someone on the roster (in Teams: the
// person has not installed the app and the bot may not open a chat with them). Their messages keep
// waiting in the outbox; storing a conversation reference later wakes them (conversation-refs.ts).
import type { ServiceContext } from '../kernel/context.ts';
import { enqueue } from './outbox.ts';

const PLATFORM_LABEL = { slack: 'Slack', teams: 'Microsoft Teams' } as const;

export async function reportUnreachable(ctx: ServiceContext, input: { personId: string; reason: string }): Promise<number> {
  const person = await ctx.db.person.findUnique({ where: { id: input.personId }, select: { id: true, name: true, platform: true, workspaceId: true, roles: true } });
  if (!person) return 0;
  const admins = await ctx.db.person.findMany({ where: { roles: { has: 'admin' }, erasedAt: null, id: { not: person.id } }, select: { id: true, workspaceId: true } });
  const sameWorkspace = admins.filter((a) => a.workspaceId === person.workspaceId);
  const platform = PLATFORM_LABEL[person.platform];
  const count = await enqueue(ctx.db, (sameWorkspace.length ? sameWorkspace : admins).map((a) => ({
    // One alert per person and admin, ever: the outbox key makes repeats impossible.
    dedupeKey: `admin_unreachable:${person.id}:${a.id}`,
    recipientId: a.id,
    kind: 'admin_unreachable',
    payload: {
      purpose: 'admin_alert',
      message: {
        fallback: `${person.name} cannot be reached in ${platform}`,
        blocks: [
          { type: 'text', text: `${person.name} (${person.roles.join(', ')}) has not installed the evidence bot in ${platform}, so messages to them are waiting.`, bold: true },
          { type: 'text', text: `Ask them to open the evidence bot app in ${platform} (or install it for them); the waiting messages are delivered as soon as they do.` },
          { type: 'context', text: `Reason: ${input.reason.slice(0, 200)}` },
        ],
      },
    },
  })));
  if (count > 0) {
    ctx.log.warn({ personId: person.id, platform: person.platform, admins: count }, 'recipient unreachable; admins told');
    ctx.kickOutbox();
  }
  return count;
}
