// Time as a dependency, so jobs can run "as if the clock read" a given instant and tests are exact.
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
export const fixedClock = (iso: string | Date): Clock => {
  const at = new Date(iso);
  return { now: () => new Date(at) };
};
