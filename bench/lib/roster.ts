// A generated roster for the benchmarks: `learners` learners on the fixture's units, spread over
// assessors and managers (one IQA), all in one Slack workspace, in the roster CSV format.
export const BENCH_TEAM = 'T0BENCH';

export interface BenchRoster {
  csv: string;
  learners: { userId: string; workspaceId: string }[];
  assessors: { userId: string; workspaceId: string }[];
}

export function benchRoster(o: { learners: number; assessors?: number; managers?: number }): BenchRoster {
  const assessors = Array.from({ length: o.assessors ?? Math.max(1, Math.ceil(o.learners / 20)) }, (_, i) => `UBA${String(i).padStart(5, '0')}`);
  const managers = Array.from({ length: o.managers ?? Math.max(1, Math.ceil(o.learners / 10)) }, (_, i) => `UBM${String(i).padStart(5, '0')}`);
  const learners = Array.from({ length: o.learners }, (_, i) => `UBL${String(i).padStart(6, '0')}`);
  const lines = ['platform,user_id,name,role,assessor_id,manager_id,iqa_id,optional_units,timezone,email,qualified,workspace'];
  lines.push(`slack,UBIQA0,Iris IQA,iqa,,,,,Europe/London,,,${BENCH_TEAM}`);
  assessors.forEach((id, i) => lines.push(`slack,${id},Assessor ${i},assessor,,,,,Europe/London,,yes,${BENCH_TEAM}`));
  managers.forEach((id, i) => lines.push(`slack,${id},Manager ${i},manager,,,,,Europe/London,,,${BENCH_TEAM}`));
  learners.forEach((id, i) =>
    lines.push(`slack,${id},Learner ${i},learner,${assessors[i % assessors.length]},${managers[i % managers.length]},UBIQA0,U10;U14;U15,Europe/London,,,${BENCH_TEAM}`),
  );
  const who = (userId: string) => ({ userId, workspaceId: BENCH_TEAM });
  return { csv: `${lines.join('\n')}\n`, learners: learners.map(who), assessors: assessors.map(who) };
}
