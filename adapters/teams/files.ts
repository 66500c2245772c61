// Sending a file (the `export` portfolio) in a Teams personal chat. A bot cannot attach a file
// directly there: it sends a file consent card, the person presses Allow, Teams gives the bot an
// upload URL in their OneDrive, the bot uploads and then posts a file card. The file is rendered
// again at upload time (the consent card carries only the format), so nothing is kept meanwhile.
// Needs `supportsFiles: true` in the app manifest (teams/manifest.json).
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Logger } from '../../src/lib/logger.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import type { Services } from '../../src/services/index.ts';

export const FILE_CONSENT_INVOKE = 'fileConsent/invoke';
const CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';

/** The consent card for a file the core produced. */
export function fileConsentActivity(file: { fileName: string; content: string; title: string }) {
  const format = file.fileName.endsWith('.csv') ? 'csv' : 'html';
  return {
    type: 'message' as const,
    attachments: [{
      contentType: CONSENT_CARD,
      name: file.fileName,
      content: {
        description: `${file.title}. Allow to save it to your OneDrive and open it here.`,
        sizeInBytes: Buffer.byteLength(file.content, 'utf8'),
        acceptContext: { kind: 'portfolio', format },
        declineContext: { kind: 'portfolio', format },
      },
    }],
  };
}

const ZConsent = z.object({
  type: z.literal('fileUpload'),
  action: z.enum(['accept', 'decline']),
  context: z.object({ kind: z.literal('portfolio'), format: z.enum(['csv', 'html']) }),
  uploadInfo: z.object({
    name: z.string().min(1),
    uploadUrl: z.url({ protocol: /^https?$/ }),
    contentUrl: z.string().min(1),
    uniqueId: z.string().optional(),
    fileType: z.string().optional(),
  }).optional(),
});

/** The person pressed Allow or Decline on a consent card. Always answers the invoke. */
export async function handleFileConsent(context: TurnContext, deps: { services: Services; actor: ActorRef; log: Logger }): Promise<void> {
  const parsed = ZConsent.safeParse(context.activity.value);
  try {
    if (!parsed.success) {
      await context.sendActivity({ type: 'message', textFormat: 'plain', text: 'That file card is out of date. Send "export" again.' });
      return;
    }
    const consent = parsed.data;
    if (consent.action === 'decline' || !consent.uploadInfo) {
      await context.sendActivity({ type: 'message', textFormat: 'plain', text: 'No file was saved. Send "export" whenever you want it.' });
      return;
    }
    const file = await deps.services.exportOwnPortfolio({ actor: deps.actor, format: consent.context.format });
    const body = Buffer.from(file.content, 'utf8');
    const res = await fetch(consent.uploadInfo.uploadUrl, {
      method: 'PUT',
      headers: { 'content-length': String(body.length), 'content-range': `bytes 0-${body.length - 1}/${body.length}` },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) {
      deps.log.warn({ status: res.status }, 'teams: file upload to OneDrive failed');
      await context.sendActivity({ type: 'message', textFormat: 'plain', text: 'Teams did not accept the file upload. Please send "export" again in a minute.' });
      return;
    }
    await context.sendActivity({
      type: 'message',
      attachments: [{
        contentType: FILE_INFO_CARD,
        contentUrl: consent.uploadInfo.contentUrl,
        name: consent.uploadInfo.name,
        content: { uniqueId: consent.uploadInfo.uniqueId, fileType: consent.uploadInfo.fileType ?? consent.context.format },
      }],
    });
  } finally {
    await context.sendActivity({ type: 'invokeResponse', value: { status: 200 } });
  }
}
