/** The layer rules of DESIGN.md §3 are enforced by lint: a forbidden import is an error, an allowed one is not. */
import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: path.resolve(__dirname, '../..') });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('layer rules', () => {
  it.each([
    ['src-renderer/src/x.ts', "import { openStore } from '../../src-main/store/store';"],
    ['src-renderer/src/x.ts', "import fs from 'node:fs';"],
    ['src-renderer/src/x.ts', "import { ipcRenderer } from 'electron';"],
    ['src-shared/x.ts', "import { Store } from '../src-main/store/store';"],
    ['src-shared/x.ts', "import crypto from 'node:crypto';"],
    ['src-main/store/x.ts', "import { app } from 'electron';"],
    ['src-main/sync/x.ts', "import { App } from '../../src-renderer/src/App';"],
    ['src-main/shell/x.ts', "import { buildServer } from '../../server/app';"],
    ['server/x.ts', "import { openStore } from '../src-main/store/store';"],
  ])('%s: %s is refused', async (file, code) => {
    expect(await ruleIds(file, `${code}\nexport {};\n`)).toContain('no-restricted-imports');
  });

  it.each([
    ['src-renderer/src/x.ts', "import { contract } from '../../src-shared/contract';"],
    ['src-main/shell/x.ts', "import { app } from 'electron';"],
    ['src-main/store/x.ts', "import { contract } from '../../src-shared/contract';"],
    ['server/x.ts', "import { SYNC_ROUTES } from '../src-shared/sync';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await ruleIds(file, `${code}\nexport {};\n`)).not.toContain('no-restricted-imports');
  });
});
