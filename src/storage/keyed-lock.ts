/**
 * Runs async work one at a time per key, in arrival order, within this
 * process. Keys with no work waiting take no memory.
 * @example
 * const locks = createKeyedLock();
 * await locks.run(ref, async () => { const t = await read(ref); await write(t); });
 */
export function createKeyedLock() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const result = (tails.get(key) ?? Promise.resolve()).then(work, work);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      try {
        return await result;
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}

export type KeyedLock = ReturnType<typeof createKeyedLock>;
