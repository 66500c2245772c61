// Preloaded into a benchmark child (`--import ./bench/lib/report-peak.ts`): when it exits it writes
// its peak resident memory as one JSON line on stderr, `{"peakRssMb":…}`, for the parent to read.
process.on('exit', () => {
  process.stderr.write(`${JSON.stringify({ peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
});
