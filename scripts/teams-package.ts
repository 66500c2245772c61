// `npm run teams:package`: writes the Teams app package (dist/teams-app.zip, or the path given)
// with the bot ID from MICROSOFT_APP_ID. Upload it in Teams (Apps → Manage your apps → Upload)
// or in the Teams admin centre.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildAppPackage } from '../adapters/teams/app-package.ts';

const out = resolve(process.argv[2] ?? 'dist/teams-app.zip');
try {
  const pkg = buildAppPackage({ appId: process.env.MICROSOFT_APP_ID });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, pkg.zip);
  process.stdout.write(`Wrote ${out} (${pkg.zip.length} bytes).\n`);
  if (pkg.placeholder) process.stdout.write('MICROSOFT_APP_ID is not set: the package carries a placeholder bot ID. Set it and run this again before uploading.\n');
} catch (err) {
  process.stderr.write(`Cannot build the Teams app package: ${(err as Error).message}\n`);
  process.exit(1);
}
