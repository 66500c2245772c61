// The core's own errors. Each carries `userMessage`, written for the person in the chat (what went
// wrong and how to fix it); the exception text and stack go to the log only.

export type AppErrorCode =
  | 'invalid_input'     // the person typed something we cannot use; nothing was changed
  | 'not_on_roster'     // the person is not known to the bot
  | 'forbidden'         // known, but may not do this
  | 'not_found'
  | 'conflict'          // the thing changed meanwhile (a stale button, a second click)
  | 'unavailable';      // the database or a platform is down: try again

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    readonly userMessage: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(`${code}: ${userMessage}`, options?.cause ? { cause: options.cause } : undefined);
    this.name = 'AppError';
    this.details = options?.details;
  }
  readonly details: Record<string, unknown> | undefined;
}

export const invalidInput = (userMessage: string, details?: Record<string, unknown>) =>
  new AppError('invalid_input', userMessage, { details });
export const forbidden = (userMessage: string) => new AppError('forbidden', userMessage);
export const notFound = (userMessage: string) => new AppError('not_found', userMessage);
export const conflict = (userMessage: string) => new AppError('conflict', userMessage);

export const TRY_AGAIN = 'Something went wrong on our side and nothing was saved. Please try again in a minute.';

/** What the person sees for any error: an AppError's own message, otherwise a safe "try again". */
export function userMessageOf(err: unknown): string {
  return err instanceof AppError ? err.userMessage : TRY_AGAIN;
}
