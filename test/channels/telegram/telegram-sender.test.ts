import { GrammyError, HttpError } from 'grammy';
import { classifyTelegramError } from '../../../src/channels/telegram/telegram-sender';

/** A GrammyError exactly as grammY builds one from a Telegram error answer. */
function apiError(error_code: number, description: string, parameters: { retry_after?: number } = {}): GrammyError {
  return new GrammyError(
    `Call to 'sendMessage' failed! (${error_code}: ${description})`,
    { ok: false, error_code, description, parameters },
    'sendMessage',
    {},
  );
}

describe('classifyTelegramError', () => {
  it('waits exactly retry_after on 429', () => {
    expect(classifyTelegramError(apiError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }))).toEqual({
      retry: true,
      afterMs: 7000,
      code: 'telegram_429',
    });
  });

  it('gives up on chats that blocked or removed the bot and on requests Telegram rejects', () => {
    expect(classifyTelegramError(apiError(403, 'Forbidden: bot was blocked by the user'))).toMatchObject({
      retry: false,
      reason: 'blocked',
    });
    expect(classifyTelegramError(apiError(403, 'Forbidden: user is deactivated'))).toMatchObject({
      retry: false,
      reason: 'forbidden',
      detail: 'Forbidden: user is deactivated',
    });
    expect(classifyTelegramError(apiError(400, 'Bad Request: chat not found'))).toMatchObject({
      retry: false,
      reason: 'chat_not_found',
    });
    expect(classifyTelegramError(apiError(400, 'Bad Request: message is too long'))).toMatchObject({
      retry: false,
      reason: 'rejected',
      code: 'telegram_400',
    });
  });

  it('retries server errors, configuration errors an operator can fix, and network failures', () => {
    expect(classifyTelegramError(apiError(500, 'Internal Server Error'))).toEqual({
      retry: true,
      code: 'telegram_500',
    });
    expect(classifyTelegramError(apiError(401, 'Unauthorized'))).toEqual({ retry: true, code: 'telegram_401' });
    expect(
      classifyTelegramError(new HttpError("Network request for 'sendMessage' failed!", new Error('socket hang up'))),
    ).toEqual({ retry: true, code: 'network' });
    expect(classifyTelegramError(new TypeError('boom'))).toEqual({ retry: true, code: 'TypeError' });
  });
});
