/**
 * The functions a step adds to a file when it rewrites an `Array` callback that must now be awaited
 * (`filter`, `some`, a `.map` that must keep its order): each runs the callback on one element
 * after another and awaits it before going on, exactly as the blocking code ran, and stops where
 * the built-in method stops. They are written into the user's file (not imported) so that the
 * migrated code depends on nothing new.
 */

/** Recognises a helper this tool wrote (so that a second step reuses it). */
export const HELPER_MARK = 'Added by rickmorty migrate';

const ITEMS = 'A extends readonly unknown[]';
const CALLBACK = (returns: string): string =>
  `callback: (item: A[number], index: number, items: A) => ${returns}`;

function helper(name: string, doc: string, signature: string, body: readonly string[]): string {
  return [
    `/** ${doc} ${HELPER_MARK}. */`,
    `async function ${name}${signature} {`,
    ...body.map((line) => `  ${line}`),
    '}',
  ].join('\n');
}

const LOOP = 'for (let index = 0, length = items.length; index < length; index++) {';

/** Each helper's text, by the `Array` method it stands for. */
const HELPERS: Readonly<Record<string, { readonly name: string; readonly text: string }>> = {
  map: {
    name: 'mapInOrder',
    text: helper(
      'mapInOrder',
      'Array#map with an async callback, awaiting each call before the next, in order.',
      `<${ITEMS}, U>(items: A, ${CALLBACK('U | PromiseLike<U>')}): Promise<U[]>`,
      [
        'const results: U[] = [];',
        LOOP,
        '  results.push(await callback(items[index], index, items));',
        '}',
        'return results;',
      ],
    ),
  },
  forEach: {
    name: 'forEachInOrder',
    text: helper(
      'forEachInOrder',
      'Array#forEach with an async callback, awaiting each call before the next, in order.',
      `<${ITEMS}>(items: A, ${CALLBACK('unknown')}): Promise<void>`,
      [LOOP, '  await callback(items[index], index, items);', '}'],
    ),
  },
  filter: {
    name: 'filterInOrder',
    text: helper(
      'filterInOrder',
      'Array#filter with an async predicate, awaiting each call before the next, in order.',
      `<${ITEMS}>(items: A, ${CALLBACK('unknown')}): Promise<A[number][]>`,
      [
        'const kept: A[number][] = [];',
        LOOP,
        '  if (await callback(items[index], index, items)) kept.push(items[index]);',
        '}',
        'return kept;',
      ],
    ),
  },
  some: {
    name: 'someInOrder',
    text: helper(
      'someInOrder',
      'Array#some with an async predicate: awaits each call in order and stops at the first true one.',
      `<${ITEMS}>(items: A, ${CALLBACK('unknown')}): Promise<boolean>`,
      [
        LOOP,
        '  if (await callback(items[index], index, items)) return true;',
        '}',
        'return false;',
      ],
    ),
  },
  every: {
    name: 'everyInOrder',
    text: helper(
      'everyInOrder',
      'Array#every with an async predicate: awaits each call in order and stops at the first false one.',
      `<${ITEMS}>(items: A, ${CALLBACK('unknown')}): Promise<boolean>`,
      [
        LOOP,
        '  if (!(await callback(items[index], index, items))) return false;',
        '}',
        'return true;',
      ],
    ),
  },
  find: {
    name: 'findInOrder',
    text: helper(
      'findInOrder',
      'Array#find with an async predicate: awaits each call in order and stops at the first match.',
      `<${ITEMS}>(items: A, ${CALLBACK('unknown')}): Promise<A[number] | undefined>`,
      [
        LOOP,
        '  if (await callback(items[index], index, items)) return items[index];',
        '}',
        'return undefined;',
      ],
    ),
  },
  findIndex: {
    name: 'findIndexInOrder',
    text: helper(
      'findIndexInOrder',
      'Array#findIndex with an async predicate: awaits each call in order and stops at the first match.',
      `<${ITEMS}>(items: A, ${CALLBACK('unknown')}): Promise<number>`,
      [LOOP, '  if (await callback(items[index], index, items)) return index;', '}', 'return -1;'],
    ),
  },
  findLast: {
    name: 'findLastInOrder',
    text: helper(
      'findLastInOrder',
      'Array#findLast with an async predicate: awaits each call from the end and stops at the first match.',
      `<${ITEMS}>(items: A, ${CALLBACK('unknown')}): Promise<A[number] | undefined>`,
      [
        'for (let index = items.length - 1; index >= 0; index--) {',
        '  if (await callback(items[index], index, items)) return items[index];',
        '}',
        'return undefined;',
      ],
    ),
  },
  findLastIndex: {
    name: 'findLastIndexInOrder',
    text: helper(
      'findLastIndexInOrder',
      'Array#findLastIndex with an async predicate: awaits each call from the end and stops at the first match.',
      `<${ITEMS}>(items: A, ${CALLBACK('unknown')}): Promise<number>`,
      [
        'for (let index = items.length - 1; index >= 0; index--) {',
        '  if (await callback(items[index], index, items)) return index;',
        '}',
        'return -1;',
      ],
    ),
  },
  flatMap: {
    name: 'flatMapInOrder',
    text: helper(
      'flatMapInOrder',
      'Array#flatMap with an async callback, awaiting each call before the next, in order.',
      `<${ITEMS}, U>(items: A, ${CALLBACK('U | readonly U[] | PromiseLike<U | readonly U[]>')}): Promise<U[]>`,
      [
        'const results: U[] = [];',
        LOOP,
        '  const result = await callback(items[index], index, items);',
        '  if (Array.isArray(result)) results.push(...(result as readonly U[]));',
        '  else results.push(result as U);',
        '}',
        'return results;',
      ],
    ),
  },
  reduce: {
    name: 'reduceInOrder',
    text: helper(
      'reduceInOrder',
      'Array#reduce with an async reducer, awaiting each call before the next, in order.',
      `<${ITEMS}, U>(items: A, callback: (accumulator: U, item: A[number], index: number, items: A) => U | PromiseLike<U>, initial: U): Promise<U>`,
      [
        'let accumulator = initial;',
        LOOP,
        '  accumulator = await callback(accumulator, items[index], index, items);',
        '}',
        'return accumulator;',
      ],
    ),
  },
};

/** The helper's name for an `Array` method: `filter` gives `filterInOrder`. */
export function inOrderName(method: string): string {
  const found = HELPERS[method];
  if (!found) throw new Error(`Internal error: no in-order form of Array#${method}`);
  return found.name;
}

/** The helper's source text. */
export function inOrderText(method: string): string {
  const found = HELPERS[method];
  if (!found) throw new Error(`Internal error: no in-order form of Array#${method}`);
  return found.text;
}
