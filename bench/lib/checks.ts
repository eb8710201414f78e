/**
 * What the scenarios check in every answer they time, and the raw `fetch` they compare with: a way
 * that returns the wrong records fails instead of being timed.
 */

export const TRIO = [1, 10, 100] as const;
const TRIO_NAMES = ['Rick Sanchez', 'Alan Rails', 'Bubonic Plague'];

export type Named = { readonly id: number; readonly name: string };

/** A check that `result` holds the records `expected`, in that order (or in any order). */
export function expectIds(expected: readonly number[], ordered = true) {
  return (result: unknown) => {
    const records = result as readonly Named[];
    if (!Array.isArray(records) || records.length !== expected.length) {
      throw new Error(
        `expected ${expected.length} records, got ${Array.isArray(records) ? records.length : typeof records}`,
      );
    }
    const got = records.map((record) => record.id);
    const want = ordered ? expected : [...expected].sort((a, b) => a - b);
    const have = ordered ? got : [...got].sort((a, b) => a - b);
    if (have.some((id, index) => id !== want[index])) throw new Error('wrong records returned');
  };
}

/** Checks that `result` is characters 1, 10 and 100, in that order. */
export function expectTrio(result: unknown) {
  const names = (result as readonly Named[]).map((record) => record.name);
  if (names.join('|') !== TRIO_NAMES.join('|')) throw new Error(`wrong names: ${names.join(', ')}`);
}

/** Raw `fetch` + `JSON.parse`: the baseline every way is compared with. */
export async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return JSON.parse(text);
}
