import { describe, expect, it } from 'vitest';
import { commands } from '../../../src/cli/commands/index.ts';
import { usages } from '../../../src/cli/commands/usage.ts';
import { runCliCapture } from '../../support/run-cli.ts';

// Issue 18 item 8: `hinoko <command> --help` answers without loading the command (the database,
// hono, kuromoji) — the time it takes is measured by hand (`time hinoko import --help`, ~0.4 s), not
// here; this holds the structure that makes it fast and every usage in one place.

describe('hinoko --help', () => {
  it('has a usage for every command and none for a command that does not exist', () => {
    expect(Object.keys(usages).sort()).toEqual(Object.keys(commands).sort());
  });

  it('prints a command’s help without loading it', async () => {
    const loaded: string[] = [];
    for (const [name, entry] of Object.entries(commands)) {
      const original = entry.load;
      entry.load = () => {
        loaded.push(name);
        return original();
      };
    }
    for (const name of Object.keys(commands)) {
      const { code, out } = await runCliCapture([name, '--help']);
      expect(code).toBe(0);
      expect(out).toContain(`usage: ${usages[name as keyof typeof usages]}`);
    }
    expect(loaded).toEqual([]);
  });

  it('each loaded command carries the same usage', async () => {
    for (const [name, entry] of Object.entries(commands))
      expect((await entry.load()).usage, name).toBe(usages[name as keyof typeof usages]);
  }, 60_000);
});
