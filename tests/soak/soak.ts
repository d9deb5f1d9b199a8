/**
 * Long runs of the model-based sync convergence check (tests/helpers/sync-model.ts):
 *   npm run soak -- --runs 2000 [--commands 60] [--size large] [--seed 42] [--path "3:1"]
 * Prints runs, commands run by kind and the time taken; a failure prints its seed, path and shrunk commands.
 */
import fc from 'fast-check';
import { convergenceProperty, createWorld, destroyWorld } from '../helpers/sync-model';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const runs = Number(arg('runs') ?? 1000);
const maxCommands = Number(arg('commands') ?? 60);
/** fast-check's size of the command lists (small, medium, large, xlarge): longer runs than `npm test`'s. */
const size = (arg('size') ?? 'large') as 'small' | 'medium' | 'large' | 'xlarge';
const seed = arg('seed') === undefined ? undefined : Number(arg('seed'));
const path = arg('path');

const world = await createWorld();
const started = Date.now();
let code = 0;
try {
  const details = await fc.check(convergenceProperty(world, maxCommands, size), {
    numRuns: runs,
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined ? {} : { path }),
  });
  if (details.failed) {
    code = 1;
    console.log(fc.defaultReportMessage(details) ?? 'failed');
    console.log(String(details.errorInstance));
  }
} finally {
  await destroyWorld(world);
}
const commands = Object.entries(world.stats)
  .filter(([k]) => k !== 'live.poked') // an outcome, not a command
  .reduce((n, [, v]) => n + v, 0);
console.log(
  `soak: ${runs} runs (max ${maxCommands} commands each, size ${size}), ${commands} commands run, ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s${code ? ', FAILED' : ', all converged'}`,
);
console.log(JSON.stringify(world.stats));
process.exit(code);
