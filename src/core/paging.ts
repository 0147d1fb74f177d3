import type { ButtonSet, Reply, Text } from '../core/messages';

// One page of a long list for staff commands (supervisors' lists, the administrators' staff
// list). It lives in core/ because modules beside each other (staff/, supervisor/) both page
// lists and must not import each other (README "Architecture").

/** Items per page: ten short lines fit a phone screen. */
export const PAGE_SIZE = 10;
/** Telegram refuses callback data longer than this many bytes. */
const MAX_BUTTON_DATA_BYTES = 64;

/** Pages needed for `total` items (at least one, so an empty list still has "page 1 of 1"). */
export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / PAGE_SIZE));
}

/** Clamp a requested page number (1-based) into the list. */
export function clampPage(page: number, total: number): number {
  return Math.min(Math.max(1, Math.floor(page) || 1), pageCount(total));
}

/** Whether a button value still fits Telegram's callback data limit in `scope`. */
export function fitsButton(scope: string, value: string): boolean {
  return Buffer.byteLength(`${scope}|${value}`, 'utf8') <= MAX_BUTTON_DATA_BYTES;
}

/**
 * One page of a list as a reply: a title, the items one per line, and
 * "previous"/"next" buttons in the module's button `scope`, whose values `valueFor(page)` makes.
 */
export function pageReply(input: {
  scope: string;
  title: Text;
  items: Text[];
  page: number;
  total: number;
  valueFor: (page: number) => string;
  footer?: Text;
}): Reply {
  const pages = pageCount(input.total);
  const options: ButtonSet['options'] = [];
  if (input.page > 1) options.push({ value: input.valueFor(input.page - 1), label: { key: 'supervisor.page.prev' } });
  if (input.page < pages)
    options.push({ value: input.valueFor(input.page + 1), label: { key: 'supervisor.page.next' } });
  const reply: Reply = {
    text: {
      key: 'supervisor.page.body',
      params: {
        title: input.title,
        page: input.page,
        pages,
        items: input.items,
        footer: input.footer ?? '',
      },
    },
  };
  if (options.length && options.every((o) => fitsButton(input.scope, o.value)))
    reply.buttons = { scope: input.scope, options };
  return reply;
}
