/**
 * Runs work one item at a time per chat, in the order it was given, while
 * different chats proceed side by side: a person's messages are handled in
 * the order they wrote them. A failing item is reported and does not stop
 * the chat's later items.
 * @example const queue = createChatQueue((err) => log.error({ error: safeError(err) }, 'failed')); queue.run(chatKey, () => handle(update));
 */
export interface ChatQueue {
  run(chatKey: string, work: () => Promise<void>): void;
  /** Resolves when everything given so far has finished. */
  idle(): Promise<void>;
}

export function createChatQueue(onError: (err: unknown, chatKey: string) => void): ChatQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    run(chatKey, work) {
      const next = (tails.get(chatKey) ?? Promise.resolve()).then(work).catch((err: unknown) => onError(err, chatKey));
      tails.set(chatKey, next);
      void next.then(() => {
        if (tails.get(chatKey) === next) tails.delete(chatKey);
      });
    },
    async idle() {
      await Promise.allSettled([...tails.values()]);
    },
  };
}
