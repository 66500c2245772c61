// The Teams app package: teams/manifest.json with the bot's ID filled in, and the two icons,
// zipped flat as Teams expects. `npm run teams:package` writes it to dist/teams-app.zip.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';

const TEAMS_DIR = fileURLToPath(new URL('../../teams', import.meta.url));
/** Used when MICROSOFT_APP_ID is not set: the package then validates but must be rebuilt before upload. */
export const PLACEHOLDER_APP_ID = '00000000-0000-0000-0000-000000000000';

export interface AppPackage {
  manifest: Record<string, unknown>;
  zip: Uint8Array;
  placeholder: boolean;
}

export function buildAppPackage(options: { appId?: string; dir?: string } = {}): AppPackage {
  const dir = options.dir ?? TEAMS_DIR;
  const appId = options.appId?.trim() || PLACEHOLDER_APP_ID;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appId)) {
    throw new Error(`MICROSOFT_APP_ID must be the bot's Microsoft App ID (a GUID); got "${appId.slice(0, 40)}"`);
  }
  const text = readFileSync(`${dir}/manifest.json`, 'utf8').replaceAll('{{MICROSOFT_APP_ID}}', appId.toLowerCase());
  const manifest = JSON.parse(text) as Record<string, unknown>;
  const zip = zipSync({
    'manifest.json': strToU8(JSON.stringify(manifest, null, 2)),
    'color.png': new Uint8Array(readFileSync(`${dir}/color.png`)),
    'outline.png': new Uint8Array(readFileSync(`${dir}/outline.png`)),
  }, { level: 9 });
  return { manifest, zip, placeholder: appId === PLACEHOLDER_APP_ID };
}
