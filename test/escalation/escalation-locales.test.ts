import path from 'node:path';
import { HISTORY_ACTIONS, historyText } from '../../src/escalation/escalation-history';
import { ESCALATION_REASONS, HIGHER_LEVELS } from '../../src/escalation/escalation-policy';
import { renderReplies } from '../../src/core/render';
import { createTranslator, LANGUAGES } from '../../src/i18n/create-i18n';

const tr = createTranslator(path.resolve(__dirname, '../../locales'));

describe('escalation and feedback words', () => {
  test('every key built from data exists in every language', () => {
    const keys = [
      ...ESCALATION_REASONS.map((r) => `escalation.reason.${r}`),
      ...[1, ...HIGHER_LEVELS].map((l) => `escalation.level.${l}`),
      ...[...HISTORY_ACTIONS].map((a) => `escalation.history.action.${a}`),
      ...[1, 2, 3, 4, 5].map((n) => `feedback.rating.${n}`),
    ];
    const missing = keys.flatMap((k) => LANGUAGES.filter((l) => !tr.has(l, k)).map((l) => `${l}:${k}`));
    expect(missing).toEqual([]);
  });

  test('a long history keeps its latest lines, counts the rest, shortens long notes and shows unknown actions as written', () => {
    const at = new Date('2026-11-28T04:30:00.000Z');
    const by = { kind: 'staff' as const, id: 'OFF1', role: 'officer' };
    const history = [
      { at, by: { kind: 'citizen' as const, id: 'c' }, action: 'created' },
      ...Array.from({ length: 20 }, (_, i) => ({ at, by, action: 'update', text: `प्रगति ${i}` })),
      { at, by, action: 'update', text: 'क'.repeat(400) },
      { at, by: { kind: 'system' as const, id: 'sla-sweep' }, action: 'escalate', text: 'ack_overdue' },
      { at, by, action: 'merged_into' },
    ];
    const [message] = renderReplies(tr, 'hi', [{ text: historyText({ ref: 'ALR-000001', history }, 'hi') }]);
    const lines = message!.text.split('\n');
    expect(lines[0]).toBe(tr.t('hi', 'escalation.history.title', { ref: 'ALR-000001', lines: '' }).trim());
    expect(lines[1]).toBe(tr.t('hi', 'escalation.history.earlier', { count: history.length - 15 }));
    expect(lines).toHaveLength(17);
    expect(message!.text).not.toContain('प्रगति 0');
    expect(message!.text).toContain('प्रगति 19');
    expect(message!.text).not.toContain('क'.repeat(161));
    expect(message!.text).toContain(`${'क'.repeat(160)}…`);
    expect(message!.text).toContain(
      `${tr.t('hi', 'escalation.history.action.escalate', { level: 2 })} (${tr.t('hi', 'escalation.history.by_system')}): ${tr.t('hi', 'escalation.reason.ack_overdue')}`,
    );
    expect(lines.at(-1)).toContain('merged_into');
  });
});
