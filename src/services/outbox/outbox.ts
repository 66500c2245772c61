// The outbox: every message the bot sends is first written here, in the same transaction as the
// change that causes it, under a dedupe key (what, whom, which slot) that makes a second copy
// impossible. The outbox job delivers it (jobs/outbox.ts) and retries until it arrives.
import type { Prisma } from '../../db/generated/client.ts';
import type { ChatMessage } from '../../ports/message.ts';

type Tx = Pick<Prisma.TransactionClient, 'outboxMessage'>;

export interface OutboxPayload {
  message: ChatMessage;
  /** Recorded with the posted message (entry_root, notice, nudge, digest …). */
  purpose: string;
  entryId?: string;
  contactId?: string;
  /** Reply in the thread of this entry's root message (the assessor's thread). */
  threadEntryId?: string;
  /** Instead of posting, update the message posted earlier for this entry with this purpose. */
  updateOf?: { entryId: string; purpose: string };
  /** Post in this conversation (a centre's assessor channel) instead of the person's DM. */
  conversationId?: string;
  /** Instead of posting, update this PostedMessage (by its row ID): an erasure re-rendering a message. */
  updatePosted?: { postedMessageId: string };
  /**
   * Answer through this URL (Slack's response_url: seen only by the person, under their command)
   * until `replyBy`; after that, or if it fails, the message goes to the person's DM instead.
   */
  replyUrl?: string;
  replyBy?: string;
}

export interface OutboxItem {
  dedupeKey: string;
  recipientId: string;
  kind: string;
  payload: OutboxPayload;
  /** Not before this instant (quiet hours, a scheduled reminder). */
  notBefore?: Date;
}

const DUE_AT_ONCE = new Date(0);

/** Writes messages to the outbox; a key already there is left alone (a retry, a double click). */
export async function enqueue(tx: Tx, items: OutboxItem | OutboxItem[]): Promise<number> {
  const list = Array.isArray(items) ? items : [items];
  if (list.length === 0) return 0;
  const { count } = await tx.outboxMessage.createMany({
    data: list.map((i) => ({
      dedupeKey: i.dedupeKey,
      recipientId: i.recipientId,
      kind: i.kind,
      payload: i.payload as unknown as Prisma.InputJsonValue,
      // Without notBefore a message is due at once, whatever clock the sender's database keeps
      // (the epoch, not the database's now(): a job run "as if" at --now must not wait for real time).
      nextAttemptAt: i.notBefore ?? DUE_AT_ONCE,
    })),
    skipDuplicates: true,
  });
  return count;
}
