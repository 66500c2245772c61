// A fresh DATA_DIR for a bot started end to end, holding a copy of the migrated embedded database
// made once in global-setup: a start then takes about a second instead of running the migrations.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

export function migratedDataDir(prefix = 'evidence-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let template: string | undefined;
  try {
    template = inject('pgliteDataDirTemplate');
  } catch {
    // Outside vitest (the benchmark): the bot migrates the empty directory itself.
  }
  if (template) cpSync(template, join(dir, 'pglite'), { recursive: true });
  return dir;
}
