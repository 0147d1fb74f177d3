import path from 'node:path';
import { createTranslator, type Language } from '../../src/i18n/create-i18n';
import { ROOT, runScript } from './run-script';

/** The terminal flow player, run through piped input against the test database. */
const tr = createTranslator(path.join(ROOT, 'locales'));

/** The first line of a message up to its first placeholder: how it shows in the player's output whatever the parameters. */
function opening(lang: Language, key: string): string {
  const raw: unknown = tr.instance.getResource(lang, 'translation', key);
  if (typeof raw !== 'string') throw new Error(`no ${lang} text for ${key}`);
  return (raw.split('{{')[0] ?? '').split('\n')[0] ?? '';
}

describe('scripts/play-flow.ts', () => {
  test('plays a whole Hindi complaint from piped input and exits cleanly at the end of it', async () => {
    const input = [
      '/start',
      '2',
      '[block|jobat]',
      'वार्ड 5, बस स्टैंड के पास',
      'दो महीने से राशन की दुकान से गेहूँ नहीं मिला है।',
      '[phone|skip]',
      '[summary|submit]',
      '/status',
      '',
    ].join('\n');
    const { code, stdout, stderr } = await runScript('scripts/play-flow.ts', [], input);

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const key of [
      'intake.category.prompt',
      'intake.block.prompt',
      'intake.locality.prompt',
      'intake.description.prompt',
      'intake.phone.prompt',
      'intake.summary.prompt',
      'intake.submitted',
      'status.list',
    ]) {
      expect(stdout).toContain(opening('hi', key));
    }
    // The typed "2" was taken as the second category, shown with its button data.
    expect(stdout).toContain(`${tr.t('hi', 'category.ration')}  [category|ration]`);
    // The reference given on submit is the one /status lists.
    const [beforeStatus = '', afterStatus = ''] = stdout.split('you> /status');
    const ref = /[A-Z]{2,6}-\d{6,}/.exec(beforeStatus)?.[0];
    expect(ref).toBeDefined();
    expect(afterStatus).toContain(ref);
  });

  test('--lang en speaks English from the first reply', async () => {
    const { code, stdout } = await runScript('scripts/play-flow.ts', ['--lang', 'en'], '/start\n2\n');

    expect(code).toBe(0);
    expect(stdout).toContain(opening('en', 'intake.category.prompt'));
    expect(stdout).toContain(opening('en', 'intake.block.prompt'));
    expect(stdout).not.toContain(opening('hi', 'intake.category.prompt'));
  });

  test('an unknown --lang is refused in one line', async () => {
    const { code, stdout, stderr } = await runScript('scripts/play-flow.ts', ['--lang', 'fr'], '');

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('--lang');
  });
});
