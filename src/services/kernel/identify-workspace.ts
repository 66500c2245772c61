// Whether a chat workspace (a Slack team, a Teams tenant) is one the bot serves: it is on the
// roster by its ID, or the roster has people on that platform with no workspace named ('').
// Edges refuse everything else politely before anything is stored.
import type { ServiceContext } from './context.ts';

export async function isWorkspaceOnRoster(ctx: ServiceContext, input: { platform: 'slack' | 'teams'; externalId: string }): Promise<boolean> {
  const found = await ctx.db.workspace.findFirst({
    where: { platform: input.platform, externalId: { in: input.externalId ? [input.externalId, ''] : [''] } },
    select: { id: true },
  });
  return found !== null;
}
