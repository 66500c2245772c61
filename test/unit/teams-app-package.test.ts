// The Teams app package: what `npm run teams:package` zips validates against Microsoft's manifest
// schema (bundled in @microsoft/app-manifest, so offline), carries the bot ID, the commands the
// bot understands, and icons of the sizes Teams requires.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildAppPackage, PLACEHOLDER_APP_ID } from '../../adapters/teams/app-package.ts';
import { SUBCOMMANDS } from '../../src/domain/command.ts';

const APP_ID = '3f2b8c1e-5a4d-4e7f-9b6a-1c2d3e4f5a6b';

function pngSize(bytes: Uint8Array) {
  const view = Buffer.from(bytes);
  expect(view.subarray(1, 4).toString()).toBe('PNG');
  return { width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
}

describe('the Teams app package', () => {
  it('zips a manifest that validates against the Teams schema, with the bot ID and icons', async () => {
    const files = unzipSync(buildAppPackage({ appId: APP_ID }).zip);
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(strFromU8(files['manifest.json']!));
    expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]).toMatchObject({ botId: APP_ID, scopes: ['personal'], supportsFiles: true });
    expect(pngSize(files['color.png']!)).toEqual({ width: 192, height: 192 });
    expect(pngSize(files['outline.png']!)).toEqual({ width: 32, height: 32 });
  });

  it('lists only commands the bot understands, log, list, progress, criteria and help among them', () => {
    const { manifest } = buildAppPackage({ appId: APP_ID });
    const titles = (manifest as any).bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
    expect(titles).toEqual(expect.arrayContaining(['log', 'list', 'progress', 'criteria', 'help']));
    for (const t of titles) expect(SUBCOMMANDS).toContain(t);
  });

  it('is refused for an app ID that is not a GUID, and says so', () => {
    expect(() => buildAppPackage({ appId: 'my-bot' })).toThrow(/MICROSOFT_APP_ID must be the bot's Microsoft App ID/);
  });

  it('npm run teams:package writes the zip, with a placeholder ID when none is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'teams-pkg-'));
    try {
      const out = join(dir, 'teams-app.zip');
      const env = { ...process.env, MICROSOFT_APP_ID: '' };
      const said = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/teams-package.ts', out], { env, encoding: 'utf8' });
      expect(said).toContain('placeholder bot ID');
      const manifest = JSON.parse(strFromU8(unzipSync(new Uint8Array(readFileSync(out)))['manifest.json']!));
      expect(manifest.bots[0].botId).toBe(PLACEHOLDER_APP_ID);
      expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
