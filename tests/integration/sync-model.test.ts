/**
 * Model-based convergence (issue 12, DESIGN.md §5): fast-check generates interleavings of every kind of local
 * change, syncs, live sessions, patient actions, server and console restarts, lost responses, an unreachable
 * server, delays and server failures (tests/helpers/sync-model.ts). After quiescence every console's store
 * equals the server for every record, and nothing acknowledged is lost or applied twice. A failing run prints
 * its seed and the shrunk command list; replay it with `npm run soak -- --seed <seed> --path <path>`.
 * Longer runs: `npm run soak -- --runs N`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type World, convergenceProperty, createWorld, destroyWorld } from '../helpers/sync-model';

const RUNS = Number(process.env.SYNC_MODEL_RUNS ?? 200);

describe('sync model: three consoles and the portal converge under random interleavings and faults', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  }, 60_000);
  afterAll(async () => {
    await destroyWorld(world);
  });

  it(`converges in ${RUNS} random runs`, async () => {
    await fc.assert(convergenceProperty(world, 14), { numRuns: RUNS, endOnFailure: false });
    console.log(
      `sync model: ${RUNS} runs, ${JSON.stringify(world.stats)}, ms ${JSON.stringify(world.timing)}`,
    );
    // The runs exercised what they claim (counts of commands actually run).
    for (const key of [
      'sync',
      'change.book',
      'change.reply',
      'restartServer',
      'restartConsoleMidSync',
      'fault.lost-response',
      'fault.breakRecord',
      'live.poked',
    ]) {
      expect(world.stats[key] ?? 0, key).toBeGreaterThan(0);
    }
  }, 240_000);
});
