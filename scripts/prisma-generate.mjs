// Generates the Prisma client into src/db/generated without network access.
// Prisma's CLI looks for its schema-engine binary before any command and would try to download
// it; `generate` never runs that binary, so pointing the variable at any existing file is enough
// (the CLI only checks that the file exists). With --if-missing it does nothing when the client
// is newer than the schema.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = join(root, 'prisma', 'schema.prisma');
const marker = join(root, 'src', 'db', 'generated', 'client.ts');

if (process.argv.includes('--if-missing') && existsSync(marker)
    && statSync(marker).mtimeMs >= statSync(schema).mtimeMs) {
  process.exit(0);
}

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const cli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
