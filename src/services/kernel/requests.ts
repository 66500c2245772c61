// What arrives from a chat platform, as the core takes it: who is acting and what they typed. The
// services look the person up from these; nothing else in a request is trusted.

/** Who is acting, as the chat platform says. The services look the person up; nothing else is trusted. */
export interface ActorRef {
  platform: 'slack' | 'teams' | 'cli';
  /** Slack team ID or Teams tenant ID; may be empty. */
  workspaceId: string;
  userId: string;
}

export interface CommandInput {
  actor: ActorRef;
  text: string;
  /** Stable per request, for idempotent writes (Slack trigger_id, Teams activity ID). */
  requestId: string;
  source: 'slack' | 'teams';
  /** Teams: messages may start with "evidence". */
  allowPrefix?: boolean;
  /** Where the platform lets the answer be posted later (Slack: the command's response_url, 30 minutes). */
  replyUrl?: string;
}

/** A committed inbox request (commands/inbox.ts) as the process that holds its lease knows it. */
export interface AcceptedRequest {
  key: string;
  input: CommandInput;
  personId: string;
  /** The lease this runner holds: also its fencing token (a request taken over has a later one). */
  lockedUntil: Date;
  createdAt: Date;
  attempts: number;
}
