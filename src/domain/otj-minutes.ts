// Off-the-job training minutes on an entry: whole minutes, at least one, at most a day. The `log`
// grammar (`mins:`), the Slack and Teams logging forms and the draft's schema all take the range
// from here, so a value one of them accepts is never refused by another.
export const MIN_MINUTES = 1;
export const MAX_MINUTES = 24 * 60;

export function isOtjMinutes(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_MINUTES && n <= MAX_MINUTES;
}
