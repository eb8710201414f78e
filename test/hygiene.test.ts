import { describe, expect, it } from 'vitest';
import { runScript } from './helpers/run-script.js';

describe('a program that uses every feature and returns', () => {
  it('leaves nothing that keeps the event loop alive, and exits by itself', async () => {
    const result = await runScript(
      new URL('./fixtures/every-feature.ts', import.meta.url),
      [],
      60_000,
    );
    expect(result.hung).toBe(false);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toEqual({ names: ['Rick Sanchez', 'Alan Rails', 'Bubonic Plague'] });
    // No timer, socket, worker or server is left holding the process: workers are unref'd when
    // idle, sockets are released, and every timer the library set has been cleared.
    expect(lines[1]).toEqual({ keepingAlive: [] });
  });
});
